package io.ipcworkers.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameHandler;
import io.ipcworkers.channel.FrameSlot;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.channel.RawWire;
import io.ipcworkers.channel.SocketConnection;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageIds;
import io.ipcworkers.codec.RequestDeadline;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool worker's serving loop against a parent played by the test over a real socket pair: what the
 * worker answers, and how it acknowledges.
 */
class WorkerDispatcherTest {

    private static final MessageCodec codec = MessageCodec.withDefaultMapper();

    @TempDir
    Path directory;

    private SocketConnection parentSide;

    private SocketConnection workerSide;

    private final Listeners listeners = new Listeners();

    private Thread serving;

    private Thread heartbeat;

    /** What escaped the serving loop, if anything did. */
    private volatile @Nullable Throwable servingFailure;

    /** What the worker prints about its listeners' failures. */
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    /** How the worker sent each answer: {@code true} for a send that lingers for those that follow. */
    private final List<Boolean> answersLingering = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connectAndServe() throws IOException {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, Frame.DEFAULT_MAX_FRAME_LENGTH);
        this.workerSide = pair[0];
        this.parentSide = pair[1];
        ConnectedParentProcess parent = new ConnectedParentProcess(new RecordingConnection(this.workerSide),
                ProcessHandle.current().pid());
        ListenerRegistry registry = ListenerRegistry.forWorker();
        registry.registerAnnotatedMethods(this.listeners);
        WorkerDispatcher dispatcher = new WorkerDispatcher("test", parent, registry,
                new ListenerFailureLog(new PrintStream(this.stderr, true, StandardCharsets.UTF_8)));
        // beats far apart: what a listener that runs long holds up must not wait for the next beat
        this.heartbeat = Heartbeat.start(parent, Duration.ofHours(1), dispatcher);
        this.serving = new Thread(dispatcher::serveUntilStopped, "serving");
        this.serving.setUncaughtExceptionHandler((thread, failure) -> this.servingFailure = failure);
        this.serving.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        this.listeners.release.countDown();
        this.parentSide.close();
        this.serving.join(5000);
        this.workerSide.close();
        this.heartbeat.interrupt(); // it would otherwise sleep until its next beat, an hour away
        this.heartbeat.join(5000);
        assertThat(this.serving.isAlive()).isFalse();
        assertThat(this.heartbeat.isAlive()).isFalse();
        assertThat(this.servingFailure).as("what ended the serving loop, which the worker would exit with 1 for").isNull();
    }

    @Test
    void oneAcknowledgementStandsForEveryMessageHandledBeforeIt() throws Exception {
        int messages = 1000;
        writeInOneGo(FrameType.MESSAGE, messages, (id) -> Message.of("fast", id));
        List<Long> acknowledged = new ArrayList<>();
        while (acknowledged.isEmpty() || acknowledged.get(acknowledged.size() - 1) < messages) {
            acknowledged.add(nextNonHeartbeat().correlationId());
        }
        assertThat(acknowledged).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) messages);
        assertThat(acknowledged).as("ACK frames for %d messages", messages).hasSizeLessThan(messages / 10);
        assertThat(this.listeners.handled).isEqualTo(messages);
    }

    @Test
    void aListenerThatTakesNothingCostsItsWorkerNoObjectPerMessageOnceItsLoopIsCompiled() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int messages = 20_000;
        int rounds = 0;
        long fewest = Long.MAX_VALUE;
        // until the loop is compiled, which on a busy machine may take a while, its code makes objects the
        // compiler does away with (such as an iterator over the topic's listeners): the fewest of a round counts
        while (rounds < 20 && fewest >= messages) {
            long before = threads.getThreadAllocatedBytes(this.serving.getId());
            writeAndAwaitAcknowledged(rounds * messages + 1, messages);
            fewest = Math.min(fewest, threads.getThreadAllocatedBytes(this.serving.getId()) - before);
            rounds++;
        }

        // each frame's body array and record and a message for it came to about a hundred bytes a message
        assertThat(fewest).as("fewest bytes the serving loop allocated in a round of %d messages", messages)
            .isLessThan(messages);
        assertThat(this.listeners.ticks).isEqualTo(rounds * messages);
    }

    @Test
    void aMessageAListenerKeepsStaysAsItCameWhenTheFramesAfterItAreRead() throws Exception {
        writeInOneGo(FrameType.MESSAGE, 3, (id) -> Message.of("keep", 100 + id)); // read into the same memory
        await().until(() -> this.listeners.kept.size() == 3);

        assertThat(this.listeners.kept).extracting((message) -> message.payloadAs(Integer.class))
            .containsExactly(101, 102, 103);
    }

    /** Writes ticks {@code first} to {@code first + count - 1} in one go, and waits until the last is acknowledged. */
    private void writeAndAwaitAcknowledged(int first, int count) throws IOException {
        writeInOneGo(FrameType.MESSAGE, first, count, (id) -> Message.of("tick", null));
        long last = first + count - 1L;
        while (nextNonHeartbeat().correlationId() < last) {
            // the acknowledgements of those before it
        }
    }

    @Test
    void messagesThatEachTakeAWhileAreAcknowledgedAboutAMillisecondAfterTheFirstNotSixtyFourAtATime() throws Exception {
        awaitHeartbeatSleepingUntilItsNextBeat(); // it sleeps an hour: only the handling thread acknowledges
        writeInOneGo(FrameType.MESSAGE, 20, (id) -> Message.of("takes", 300)); // 0.3 ms each, none waited for

        Frame ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        // the first pending has waited 1 ms by the end of the fifth (sooner, if this machine is slow):
        // well before the eighth, let alone the sixty-fourth
        assertThat(ack.correlationId()).isBetween(2L, 7L);
    }

    @Test
    void aListenerThatRunsLongDoesNotHoldBackTheAcknowledgementOfThoseBeforeIt() throws Exception {
        awaitHeartbeatSleepingUntilItsNextBeat();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1)));
        wire.write(frame(FrameType.MESSAGE, 2, Message.of("fast", 2)));
        wire.write(frame(FrameType.MESSAGE, 3, Message.of("slow", null)));
        RawWire.write(this.parentSide, wire.toByteArray());
        Frame ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.correlationId()).isEqualTo(2);
        assertThat(this.listeners.release.getCount()).as("the slow listener still runs").isOne();
        this.listeners.release.countDown();
        ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.correlationId()).isEqualTo(3);
    }

    @Test
    void whatWasAnsweredIsWrittenOutBeforeARedeliveredMessageRunsAndOnlyThen() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.REQUEST, 1, Message.of("increment", 1)));
        wire.write(frame(FrameType.MESSAGE, 2, Message.of("flushes-so-far", null)));
        wire.write(frame(FrameType.MESSAGE, Frame.FLAG_REDELIVERED, 3, Message.of("flushes-so-far", null)));
        wire.write(frame(FrameType.MESSAGE, 4, Message.of("flushes-so-far", null)));
        RawWire.write(this.parentSide, wire.toByteArray());

        assertThat(nextNonHeartbeat().type()).isEqualTo(FrameType.REPLY);
        Frame ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        await().atMost(Duration.ofSeconds(10)).until(() -> this.listeners.flushesSeen.size() == 3);
        // a worker that died in message 3 would have written out the answers to 1 and 2 first
        assertThat(this.listeners.flushesSeen).containsExactly(0, 1, 1);
    }

    @Test
    void aRequestsReplyFollowsTheAcknowledgementOfTheMessagesBeforeIt() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1)));
        wire.write(frame(FrameType.MESSAGE, 2, Message.of("fast", 2)));
        wire.write(frame(FrameType.REQUEST, 3, Message.of("increment", 41)));
        RawWire.write(this.parentSide, wire.toByteArray());
        Frame ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.correlationId()).isEqualTo(2);
        Frame reply = nextNonHeartbeat();
        assertThat(reply.type()).isEqualTo(FrameType.REPLY);
        assertThat(reply.correlationId()).isEqualTo(3);
        assertThat(codec.decode(reply.body()).payloadAs(Integer.class)).isEqualTo(42);
    }

    @Test
    void answersToABacklogOfRequestsWaitForThoseThatFollowAndTheLastIsSentAsUsual() throws Exception {
        int requests = 200;
        writeInOneGo(FrameType.REQUEST, requests, (id) -> Message.of("increment", id));

        for (int id = 1; id <= requests; id++) {
            Frame reply = nextNonHeartbeat();
            assertThat(reply.type()).isEqualTo(FrameType.REPLY);
            assertThat(reply.correlationId()).isEqualTo(id);
            assertThat(codec.decode(reply.body()).payloadAs(Integer.class)).isEqualTo(id + 1);
        }
        assertThat(this.answersLingering).hasSize(requests).startsWith(true).endsWith(false);
        assertThat(this.answersLingering.subList(0, requests - 1)).containsOnly(true);

        RawWire.write(this.parentSide, frame(FrameType.REQUEST, requests + 1, Message.of("increment", 0)));
        assertThat(codec.decode(nextNonHeartbeat().body()).payloadAs(Integer.class)).isEqualTo(1);
        assertThat(this.answersLingering).hasSize(requests + 1).endsWith(false); // alone: written at once
    }

    @Test
    void aSendWhoseListenerFailsIsAnsweredWithAnErrorInItsPlaceAmongTheAcknowledgements() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1)));
        wire.write(frame(FrameType.MESSAGE, 2, Message.of("fast", 2)));
        wire.write(frame(FrameType.MESSAGE, 3, Message.of("failing", "disk on fire")));
        wire.write(frame(FrameType.MESSAGE, 0, Message.of("failing", "a parent listener's answer"))); // not tracked
        wire.write(frame(FrameType.MESSAGE, 4, Message.of("fast", "not a number")));
        wire.write(frame(FrameType.MESSAGE, 5, Message.of("fast", 5)));
        RawWire.write(this.parentSide, wire.toByteArray());

        Frame ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.correlationId()).isEqualTo(2);
        Frame failed = nextNonHeartbeat();
        assertThat(failed.type()).isEqualTo(FrameType.ERROR);
        assertThat(failed.correlationId()).isEqualTo(3);
        assertThat(codec.decode(failed.body()).payloadAs(ErrorReply.class))
            .isEqualTo(new ErrorReply(ErrorReply.LISTENER, IllegalStateException.class.getName(), "disk on fire"));
        Frame unconverted = nextNonHeartbeat();
        assertThat(unconverted.type()).isEqualTo(FrameType.ERROR);
        assertThat(unconverted.correlationId()).isEqualTo(4);
        assertThat(codec.decode(unconverted.body()).payloadAs(ErrorReply.class).kind()).isEqualTo(ErrorReply.CONVERSION);
        ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.correlationId()).isEqualTo(5);
        assertThat(this.listeners.handled).isEqualTo(3);
    }

    @Test
    void aSendWhoseReturnValueCannotBeWrittenIsAnsweredWithAnErrorAndTheWorkerGoesOn() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("unwritable", null)));
        wire.write(frame(FrameType.MESSAGE, 2, Message.of("fast", 2)));
        RawWire.write(this.parentSide, wire.toByteArray());

        Frame failed = nextNonHeartbeat(); // no half-written answer before it: the stream still parses
        assertThat(failed.type()).isEqualTo(FrameType.ERROR);
        assertThat(failed.correlationId()).isEqualTo(1);
        assertThat(codec.decode(failed.body()).payloadAs(ErrorReply.class).message())
            .contains("Cannot write the payload of message 'unwritable'", "not today");
        Frame ack = nextNonHeartbeat();
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.correlationId()).isEqualTo(2);
        assertThat(this.listeners.fastOnes).containsExactly(2);
    }

    @Test
    void aWorkerWhoseParentLeftWhileAListenerRanEndsItsLoopAsWhenTheConnectionEnds() throws Exception {
        RawWire.write(this.parentSide, frame(FrameType.REQUEST, 1, Message.of("slow", null)));
        assertThat(this.listeners.slowStarted.await(10, TimeUnit.SECONDS)).isTrue();
        this.parentSide.close();
        this.listeners.release.countDown(); // its reply finds the parent gone

        this.serving.join(5000);
        assertThat(this.serving.isAlive()).isFalse();
        assertThat(this.servingFailure).isNull();
    }

    /**
     * Only the exception's class and message reach the parent, so the worker prints the trace; a
     * listener failing on every message of a stream printed the same trace for each.
     */
    @Test
    void aListenersFailuresArePrintedWithTheirStackTraceOnceForEachKind() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int id = 1; id <= 3; id++) {
            wire.write(frame(FrameType.MESSAGE, id, Message.of("failing", "disk on fire")));
        }
        wire.write(frame(FrameType.REQUEST, 4, Message.of("refusing", 4)));
        wire.write(frame(FrameType.REQUEST, 5, Message.of("refusing", 5)));
        RawWire.write(this.parentSide, wire.toByteArray());
        for (int id = 1; id <= 5; id++) {
            Frame error = nextNonHeartbeat();
            assertThat(error.type()).isEqualTo(FrameType.ERROR);
            assertThat(error.correlationId()).isEqualTo(id);
        }

        String printed = this.stderr.toString(StandardCharsets.UTF_8);
        assertThat(printed.lines().filter((line) -> line.contains("WorkerDispatcherTest$Listeners.failing(")))
            .as("stack frames of the failing send listener").hasSize(1);
        assertThat(printed).as("the first failed send only: the parent has each as a dead letter")
            .containsOnlyOnce("[ipc-workers] Listener for topic 'failing' failed: java.lang.IllegalStateException: disk on "
                    + "fire (each becomes a dead letter in the parent; this trace is printed for the first such failure "
                    + "only)");
        assertThat(printed.lines().filter((line) -> line.contains("WorkerDispatcherTest$Listeners.refusing(")))
            .as("stack frames of the failing request listener").hasSize(1);
        assertThat(printed).containsOnlyOnce("[ipc-workers] Listener for topic 'refusing' failed a request: "
                + "java.lang.IllegalArgumentException: no 4 (its caller gets the exception");
    }

    @Test
    void aMalformedRequestIsAnsweredWithAnErrorAndTheWorkerGoesOn() throws Exception {
        byte[] garbage = ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH + 1).putInt(Frame.HEADER_AFTER_LENGTH + 1)
            .put((byte) 5).put((byte) 0).putLong(7).put((byte) 1).array(); // a REQUEST whose body is too short
        RawWire.write(this.parentSide, garbage);
        Frame error = nextNonHeartbeat();
        assertThat(error.type()).isEqualTo(FrameType.ERROR);
        assertThat(error.correlationId()).isEqualTo(7);
        assertThat(codec.decode(error.body()).payload().toString()).contains("malformed message");
        RawWire.write(this.parentSide, frame(FrameType.REQUEST, 8, Message.of("increment", 1)));
        assertThat(codec.decode(nextNonHeartbeat().body()).payloadAs(Integer.class)).isEqualTo(2);
    }

    @Test
    void aRequestWhoseDeadlinePassedBeforeTheWorkerReachedItIsAnsweredAsExpiredAndNotRun() throws Exception {
        long now = System.currentTimeMillis();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(requestWithDeadline(1, Message.of("increment", 1), now + 60_000));
        wire.write(requestWithDeadline(2, Message.of("fast", 2), now - 1_000)); // its caller stopped waiting
        wire.write(requestWithDeadline(3, Message.of("increment", 3), now + 60_000));
        RawWire.write(this.parentSide, wire.toByteArray());

        Frame first = nextNonHeartbeat();
        assertThat(first.type()).isEqualTo(FrameType.REPLY);
        assertThat(codec.decode(first.body()).payloadAs(Integer.class)).isEqualTo(2);
        Frame expired = nextNonHeartbeat();
        assertThat(expired.type()).isEqualTo(FrameType.ERROR);
        assertThat(expired.correlationId()).isEqualTo(2);
        ErrorReply why = codec.decode(expired.body()).payloadAs(ErrorReply.class);
        assertThat(why.kind()).isEqualTo(ErrorReply.EXPIRED);
        assertThat(why.message()).matches("Request 'fast' expired \\d+ ms before the worker reached it, so it did not run");
        Frame third = nextNonHeartbeat();
        assertThat(third.type()).isEqualTo(FrameType.REPLY);
        assertThat(codec.decode(third.body()).payloadAs(Integer.class)).isEqualTo(4);
        assertThat(this.listeners.handled).as("the expired request's listener").isZero();
    }

    @Test
    void aRequestFlaggedWithADeadlineItCannotHoldIsAnsweredWithAnErrorAndTheWorkerGoesOn() throws Exception {
        byte[] garbage = ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH + 5).putInt(Frame.HEADER_AFTER_LENGTH + 5)
            .put((byte) 5).put((byte) Frame.FLAG_DEADLINE).putLong(7).put(new byte[5]).array();
        RawWire.write(this.parentSide, garbage);
        Frame error = nextNonHeartbeat();
        assertThat(error.type()).isEqualTo(FrameType.ERROR);
        assertThat(error.correlationId()).isEqualTo(7);
        assertThat(codec.decode(error.body()).payload().toString()).contains("cannot hold its 8-byte deadline");
        RawWire.write(this.parentSide, requestWithDeadline(8, Message.of("increment", 1), System.currentTimeMillis() + 60_000));
        assertThat(codec.decode(nextNonHeartbeat().body()).payloadAs(Integer.class)).isEqualTo(2);
    }

    @Test
    void messagesRevokedWhileAListenerRunsLongAreGivenBackAndNotRunAndTheOthersRunInOrder() throws Exception {
        awaitHeartbeatSleepingUntilItsNextBeat();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1))); // its acknowledgement wakes the heartbeat
        wire.write(frame(FrameType.MESSAGE, 2, Message.of("slow", null)));
        wire.write(frame(FrameType.MESSAGE, 3, Message.of("fast", 3)));
        wire.write(frame(FrameType.REQUEST, 4, Message.of("increment", 4)));
        wire.write(frame(FrameType.MESSAGE, 0, Message.of("fast", 100))); // a parent listener's answer: not tracked
        wire.write(frame(FrameType.MESSAGE, 5, Message.of("fast", 5)));
        wire.write(revocation(3, 4, 0, 9)); // 0 is no message's id, and 9 was never sent
        wire.write(frame(FrameType.MESSAGE, 6, Message.of("fast", 6)));
        RawWire.write(this.parentSide, wire.toByteArray());

        Frame answer = nextNonHeartbeat();
        if (answer.type() == FrameType.ACK) {
            assertThat(answer.correlationId()).isEqualTo(1);
            answer = nextNonHeartbeat();
        }
        assertThat(answer.type()).isEqualTo(FrameType.REVOKED);
        assertThat(MessageIds.decode(answer.body(), 10)).containsExactly(3, 4);
        assertThat(this.listeners.release.getCount()).as("the slow listener still runs").isOne();

        this.listeners.release.countDown();
        // acknowledgements are coalesced as the worker sees fit (on a loaded machine 5 may get its own)
        List<Long> acknowledged = new ArrayList<>();
        while (acknowledged.isEmpty() || acknowledged.get(acknowledged.size() - 1) < 6) {
            Frame ack = nextNonHeartbeat();
            assertThat(ack.type()).isEqualTo(FrameType.ACK);
            acknowledged.add(ack.correlationId());
        }
        assertThat(acknowledged).isSubsetOf(1L, 5L, 6L).isSorted().endsWith(6L);
        assertThat(this.listeners.fastOnes).containsExactly(1, 100, 5, 6);
        RawWire.write(this.parentSide, frame(FrameType.REQUEST, 7, Message.of("increment", 1)));
        Frame reply = nextNonHeartbeat();
        assertThat(reply.correlationId()).as("no answer to the request given back").isEqualTo(7);
    }

    @Test
    void aRevocationTheServingLoopReachesItselfGivesNothingBack() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1)));
        wire.write(revocation(1));
        wire.write(frame(FrameType.REQUEST, 2, Message.of("increment", 2)));
        RawWire.write(this.parentSide, wire.toByteArray());

        List<FrameType> types = new ArrayList<>();
        Frame frame;
        do {
            frame = nextNonHeartbeat();
            types.add(frame.type());
            if (frame.type() == FrameType.REVOKED) {
                assertThat(frame.body()).isEmpty();
            }
        } while (frame.type() != FrameType.REPLY);
        // the acknowledgement waits to be coalesced with others, the answer to the revocation does not
        assertThat(types).containsExactlyInAnyOrder(FrameType.ACK, FrameType.REVOKED, FrameType.REPLY).endsWith(FrameType.REPLY);
        assertThat(this.listeners.fastOnes).containsExactly(1);
    }

    @Test
    void aRunningRequestIsInterruptedWhenTheParentSaysItsCallerCancelledItAndNoOtherListenerIs() throws Exception {
        awaitHeartbeatSleepingUntilItsNextBeat();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1))); // its acknowledgement wakes the heartbeat
        wire.write(frame(FrameType.REQUEST, 2, Message.of("slow", null)));
        wire.write(interruption(1, 3)); // 1 has ended, 3 was never sent
        wire.write(revocation(9)); // answered in the look that takes the interruption before it
        RawWire.write(this.parentSide, wire.toByteArray());
        Frame answer = nextNonHeartbeat();
        if (answer.type() == FrameType.ACK) {
            answer = nextNonHeartbeat();
        }
        assertThat(answer.type()).isEqualTo(FrameType.REVOKED);
        Thread.sleep(200);
        assertThat(this.listeners.slowInterrupted).as("interrupted for another message").isZero();

        RawWire.write(this.parentSide, interruption(2));
        Frame error = nextNonHeartbeat();
        assertThat(error.type()).isEqualTo(FrameType.ERROR);
        assertThat(error.correlationId()).isEqualTo(2);
        assertThat(codec.decode(error.body()).payloadAs(ErrorReply.class).exception())
            .isEqualTo(InterruptedException.class.getName());
        assertThat(this.listeners.slowInterrupted).isOne();
        assertThat(this.listeners.release.getCount()).as("released rather than interrupted").isOne();
        // the next listener runs uninterrupted, and nothing was printed: nobody waits for the first answer
        RawWire.write(this.parentSide, frame(FrameType.REQUEST, 4, Message.of("pause", 50)));
        Frame reply = nextNonHeartbeat();
        assertThat(reply.type()).isEqualTo(FrameType.REPLY);
        assertThat(codec.decode(reply.body()).payloadAs(Boolean.class)).as("slept without interruption").isTrue();
        assertThat(this.stderr.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aRequestCancelledWhileItWaitsBehindARunningListenerDoesNotRun() throws Exception {
        awaitHeartbeatSleepingUntilItsNextBeat();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(frame(FrameType.MESSAGE, 1, Message.of("fast", 1)));
        wire.write(frame(FrameType.REQUEST, 2, Message.of("slow", null)));
        wire.write(frame(FrameType.REQUEST, 3, Message.of("fast", 3)));
        wire.write(interruption(3));
        wire.write(revocation(9)); // answered in the look that takes the interruption before it
        wire.write(frame(FrameType.REQUEST, 4, Message.of("fast", 4)));
        RawWire.write(this.parentSide, wire.toByteArray());
        Frame answer = nextNonHeartbeat();
        if (answer.type() == FrameType.ACK) {
            answer = nextNonHeartbeat();
        }
        assertThat(answer.type()).isEqualTo(FrameType.REVOKED);

        this.listeners.release.countDown();
        List<Frame> answers = new ArrayList<>();
        while (answers.size() < 3) {
            Frame next = nextNonHeartbeat();
            if (next.type() != FrameType.ACK) {
                answers.add(next);
            }
        }
        assertThat(answers).extracting(Frame::correlationId).containsExactly(2L, 3L, 4L);
        assertThat(answers).extracting(Frame::type).containsExactly(FrameType.REPLY, FrameType.ERROR, FrameType.REPLY);
        assertThat(codec.decode(answers.get(1).body()).payloadAs(ErrorReply.class).message())
            .isEqualTo("Request 'fast' was cancelled by its caller before it started, so it did not run");
        assertThat(this.listeners.fastOnes).containsExactly(1, 4);
        assertThat(this.listeners.slowInterrupted).isZero();
    }

    private static byte[] revocation(long... ids) {
        return idsFrame(11, ids);
    }

    private static byte[] interruption(long... ids) {
        return idsFrame(13, ids);
    }

    private static byte[] idsFrame(int type, long... ids) {
        byte[] body = MessageIds.encode(ids);
        return ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH + body.length)
            .putInt(Frame.HEADER_AFTER_LENGTH + body.length).put((byte) type).put((byte) 0).putLong(0).put(body).array();
    }

    /** Writes frames 1 to {@code count} in one write: the worker finds them all buffered. */
    private void writeInOneGo(FrameType type, int count, IntFunction<Message> messageOf) throws IOException {
        writeInOneGo(type, 1, count, messageOf);
    }

    /** Writes frames {@code first} to {@code first + count - 1} in one write. */
    private void writeInOneGo(FrameType type, int first, int count, IntFunction<Message> messageOf) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int id = first; id < first + count; id++) {
            wire.write(frame(type, id, messageOf.apply(id)));
        }
        RawWire.write(this.parentSide, wire.toByteArray());
    }

    private static byte[] requestWithDeadline(long correlationId, Message message, long deadlineMillis)
            throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        codec.encodeRequest(message, deadlineMillis).writeTo(body);
        return ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH + body.size())
            .putInt(Frame.HEADER_AFTER_LENGTH + body.size()).put((byte) 5).put((byte) Frame.FLAG_DEADLINE)
            .putLong(correlationId).put(body.toByteArray()).array();
    }

    /** An idle worker's heartbeat thread sleeps until its next beat; the first handled message wakes it. */
    private void awaitHeartbeatSleepingUntilItsNextBeat() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (this.heartbeat.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).as("heartbeat thread asleep").isNegative();
            Thread.sleep(1);
        }
    }

    private Frame nextNonHeartbeat() throws IOException {
        while (true) {
            Frame frame = this.parentSide.readFrame(Duration.ofSeconds(10));
            if (frame.type() != FrameType.HEARTBEAT) {
                return frame;
            }
        }
    }

    private static byte[] frame(FrameType type, long correlationId, Message message) throws IOException {
        return frame(type, 0, correlationId, message);
    }

    private static byte[] frame(FrameType type, int flags, long correlationId, Message message) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        codec.encode(message).writeTo(body);
        byte typeCode = (byte) (type == FrameType.REQUEST ? 5 : 4);
        return ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH + body.size())
            .putInt(Frame.HEADER_AFTER_LENGTH + body.size()).put(typeCode).put((byte) flags).putLong(correlationId)
            .put(body.toByteArray()).array();
    }

    public static class Listeners {

        final CountDownLatch release = new CountDownLatch(1);

        /** How often the worker's connection was flushed on purpose, counted by the recording connection. */
        final AtomicInteger flushes = new AtomicInteger();

        /** The flush count each {@code flushes-so-far} listener saw as it began. */
        final List<Integer> flushesSeen = new CopyOnWriteArrayList<>();

        @IpcListener("flushes-so-far")
        public void flushesSoFar() {
            this.flushesSeen.add(this.flushes.get());
        }

        volatile int handled;

        /** What the {@code fast} listener was given, in order. */
        final List<Integer> fastOnes = new CopyOnWriteArrayList<>();

        @IpcListener("fast")
        public void fast(int n) {
            this.handled++; // one thread handles them all
            this.fastOnes.add(n);
        }

        /** How often the {@code slow} listener was interrupted. */
        volatile int slowInterrupted;

        final CountDownLatch slowStarted = new CountDownLatch(1);

        /** Touched by the serving thread only, and read once its acknowledgements are in. */
        volatile int ticks;

        /** Messages kept as they came, their payloads not yet read. */
        final List<Message> kept = new CopyOnWriteArrayList<>();

        @IpcListener("keep")
        public void keep(Message message) {
            this.kept.add(message);
        }

        @IpcListener("tick")
        public void tick() {
            this.ticks++;
        }

        @IpcListener("slow")
        public void slow() throws InterruptedException {
            this.slowStarted.countDown();
            try {
                this.release.await();
            }
            catch (InterruptedException ex) {
                this.slowInterrupted++;
                throw ex;
            }
        }

        /** Sleeps; whether it was left to sleep the whole time. */
        @IpcListener("pause")
        public boolean pause(long millis) {
            try {
                Thread.sleep(millis);
                return true;
            }
            catch (InterruptedException ex) {
                return false;
            }
        }

        /** Takes about {@code micros} on this thread, without sleeping (a sleep may take far longer). */
        @IpcListener("takes")
        public void takes(long micros) {
            long until = System.nanoTime() + micros * 1000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }

        @IpcListener("failing")
        public void failing(String why) {
            throw new IllegalStateException(why);
        }

        @IpcListener("refusing")
        public int refusing(int n) {
            throw new IllegalArgumentException("no " + n);
        }

        @IpcListener("increment")
        public int increment(int n) {
            return n + 1;
        }

        /** A send's return value goes back to the parent; this one cannot be written as JSON. */
        @IpcListener("unwritable")
        public Unwritable unwritable() {
            return new Unwritable();
        }
    }

    /** Its one property throws. */
    public static final class Unwritable {

        public String getValue() {
            throw new IllegalStateException("not today");
        }
    }

    /** The worker's side of the socket, telling the test how each answer was sent. */
    private final class RecordingConnection implements Connection {

        private final Connection delegate;

        RecordingConnection(Connection delegate) {
            this.delegate = delegate;
        }

        @Override
        public void send(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body) throws IOException {
            this.delegate.send(type, flags, correlationId, body);
        }

        @Override
        public void sendBatched(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
                throws IOException {
            recordAnswer(type, false);
            this.delegate.sendBatched(type, flags, correlationId, body);
        }

        @Override
        public void sendLingering(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
                throws IOException {
            recordAnswer(type, true);
            this.delegate.sendLingering(type, flags, correlationId, body);
        }

        private void recordAnswer(FrameType type, boolean lingering) {
            if (type == FrameType.REPLY || type == FrameType.ERROR) {
                WorkerDispatcherTest.this.answersLingering.add(lingering);
            }
        }

        @Override
        public void flush() throws IOException {
            WorkerDispatcherTest.this.listeners.flushes.incrementAndGet();
            this.delegate.flush();
        }

        @Override
        public void flushBeforeWaiting() throws IOException {
            this.delegate.flushBeforeWaiting();
        }

        @Override
        public void startReading(FrameHandler handler, String threadName) {
            this.delegate.startReading(handler, threadName);
        }

        @Override
        public @Nullable Frame readFrame() throws IOException {
            return this.delegate.readFrame();
        }

        @Override
        public @Nullable Frame readFrame(Duration timeout) throws IOException {
            return this.delegate.readFrame(timeout);
        }

        @Override
        public boolean readFrame(FrameSlot slot) throws IOException {
            return this.delegate.readFrame(slot);
        }

        @Override
        public boolean hasBufferedFrame() {
            return this.delegate.hasBufferedFrame();
        }

        @Override
        public boolean readAhead(int maxBytes, long budgetNanos) {
            return this.delegate.readAhead(maxBytes, budgetNanos);
        }

        @Override
        public boolean editAhead(Consumer<Deque<Frame>> edit) {
            return this.delegate.editAhead(edit);
        }

        @Override
        public boolean isOpen() {
            return this.delegate.isOpen();
        }

        @Override
        public void close() {
            this.delegate.close();
        }
    }
}
