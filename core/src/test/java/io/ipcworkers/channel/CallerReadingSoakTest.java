package io.ipcworkers.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.OwnThread;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.fail;

/**
 * Not part of the suite ({@code mvn -pl core test -Dgroups=soak -Dsoak.excluded=none}): the hand-over
 * between a connection's reader thread and the callers that read for their own answers, as a pool's
 * requests use it. A peer answers requests (batched or lingering, after no work, a few microseconds
 * or a few milliseconds, sometimes with an unasked-for frame first; one in a hundred never, which a
 * timer thread then fails, as a request's deadline does, waking its caller) while one to four
 * callers send requests one at a time or several at once and wait for each, reading for it or leaving
 * it to the reader thread, for {@code soak.seconds} (60). Every answer must reach its caller within
 * 2 s (they take milliseconds).
 */
@Tag("soak")
class CallerReadingSoakTest {

    /** A request the peer does not answer: it ends by its deadline, on the timer's thread. */
    private static final long UNANSWERED = 1L << 62;

    private static final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor((task) -> {
        Thread thread = new Thread(task, "soak-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    @TempDir
    Path directory;

    @Test
    void everyCallerGetsItsAnswer() throws Exception {
        SoakRounds.repeat("requests", this::round);
    }

    private long round(int round) throws Exception {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, 1 << 20);
        SocketConnection parent = pair[0];
        SocketConnection peer = pair[1];
        Answers answers = new Answers(parent);
        CompletableFuture<Void> answering = OwnThread.run(() -> answer(peer));
        try {
            parent.startReading(answers, "soak-reader");
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int callers = random.nextInt(1, 5);
            int perCaller = random.nextInt(1, 2000);
            AtomicLong ids = new AtomicLong();
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                running.add(OwnThread.run(() -> call(parent, answers, ids, perCaller, round)));
            }
            for (CompletableFuture<Void> caller : running) {
                caller.get(60, TimeUnit.SECONDS);
            }
            return (long) callers * perCaller;
        }
        finally {
            parent.close();
            peer.close();
            answering.handle((done, failure) -> null).get(10, TimeUnit.SECONDS);
        }
    }

    /** The peer: answers every request in order, as a pool worker does. */
    private static void answer(SocketConnection peer) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            Frame request;
            while ((request = peer.readFrame()) != null) {
                int work = random.nextInt(1000);
                if (work >= 950) {
                    LockSupport.parkNanos((work < 995) ? random.nextLong(1_000, 20_000) : random.nextLong(1_000_000, 3_000_000));
                }
                if (random.nextInt(100) == 0) { // a message of its own, which nobody waits for
                    peer.sendBatched(FrameType.MESSAGE, 0, 0, FrameWriter.BodyWriter.EMPTY);
                }
                if ((request.correlationId() & UNANSWERED) != 0) {
                    continue; // its caller's deadline will fail it
                }
                if (peer.hasBufferedFrame()) {
                    peer.sendLingering(FrameType.REPLY, 0, request.correlationId(), FrameWriter.BodyWriter.EMPTY);
                }
                else {
                    peer.sendBatched(FrameType.REPLY, 0, request.correlationId(), FrameWriter.BodyWriter.EMPTY);
                }
            }
        }
        catch (IOException ex) {
            // closed at the end of the round
        }
    }

    private static void call(SocketConnection parent, Answers answers, AtomicLong ids, int count, int round) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            for (int done = 0; done < count;) {
                int atOnce = (random.nextInt(10) == 0) ? random.nextInt(2, 50) : 1;
                List<Reply> replies = new ArrayList<>();
                for (int i = 0; i < atOnce; i++) {
                    long id = ids.incrementAndGet() | ((random.nextInt(100) == 0) ? UNANSWERED : 0);
                    Reply reply = new Reply();
                    answers.expected.put(id, reply);
                    parent.sendBatched(FrameType.REQUEST, 0, id, FrameWriter.BodyWriter.EMPTY);
                    replies.add(reply);
                    if ((id & UNANSWERED) != 0) {
                        deadlines.schedule(() -> answers.timedOut(id), random.nextInt(1, 20), TimeUnit.MILLISECONDS);
                    }
                }
                for (Reply reply : replies) {
                    await(parent, answers, reply, random.nextInt(5) != 0, round);
                }
                done += atOnce;
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** As a request's future waits: reads for its answer while no other thread reads, or leaves it to others. */
    private static void await(SocketConnection parent, Answers answers, Reply reply, boolean readsForIt, int round) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        if (readsForIt && !reply.isDone()) {
            reply.reading = Thread.currentThread();
            try {
                if (!reply.isDone() && parent.readUntil(reply::isDone, deadline, () -> true)
                        && !answers.expected.isEmpty()) {
                    parent.resumeReader(); // others wait too
                }
            }
            finally {
                reply.reading = null;
            }
        }
        try {
            reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            fail("round %d: no answer within 5 s (%s; %d answers outstanding)", round,
                    readsForIt ? "read for it" : "left to the reader thread", answers.expected.size());
        }
        catch (ExecutionException ex) {
            // its deadline passed
        }
        catch (InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
        // a caller that read on after its answer came another way, until its deadline, is a missed wake-up
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reply.sentNanos);
        if (tookMillis > 2000) {
            fail("round %d: an answer took %d ms to reach its caller (%s)", round, tookMillis,
                    readsForIt ? "read for it" : "left to the reader thread");
        }
    }

    private static final class Reply extends CompletableFuture<Void> {

        final long sentNanos = System.nanoTime();

        volatile @Nullable Thread reading;
    }

    /** The reader thread's handler: completes the answered request, and wakes its caller if it reads. */
    private static final class Answers implements FrameHandler {

        final Map<Long, Reply> expected = new ConcurrentHashMap<>();

        private final SocketConnection connection;

        Answers(SocketConnection connection) {
            this.connection = connection;
        }

        @Override
        public void onFrame(Frame frame) {
            Reply reply = (frame.type() == FrameType.REPLY) ? this.expected.remove(frame.correlationId()) : null;
            if (reply != null) {
                reply.complete(null);
                wakeIfReading(reply);
            }
        }

        /** As a pool's deadline timer fails a request, from a thread of its own. */
        void timedOut(long id) {
            Reply reply = this.expected.remove(id);
            if (reply != null) {
                reply.completeExceptionally(new TimeoutException("no reply"));
                wakeIfReading(reply);
            }
        }

        private void wakeIfReading(Reply reply) {
            Thread reading = reply.reading;
            if (reading != null && reading != Thread.currentThread()) {
                this.connection.wakeReadingCaller();
            }
        }

        @Override
        public void onClosed(@Nullable Throwable cause) {
        }
    }
}
