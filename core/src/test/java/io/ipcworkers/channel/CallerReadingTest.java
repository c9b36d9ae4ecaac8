package io.ipcworkers.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.OwnThread;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller waiting for an answer reads the connection on its own thread while the reader thread
 * waits ({@link SocketConnection#readUntil}): frames keep their order whoever reads them, and
 * whatever the caller leaves (buffered frames, a failure, a half-read frame) the reader thread takes.
 */
@Timeout(30)
class CallerReadingTest {

    private static final long FAR = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path directory;

    private SocketConnection sender;

    private SocketConnection receiver;

    private final Handler handler = new Handler();

    /** Records which thread handled which frame; completes {@link #answer} on the frame it waits for. */
    static final class Handler implements FrameHandler {

        final List<Long> ids = new CopyOnWriteArrayList<>();

        final List<String> threads = new CopyOnWriteArrayList<>();

        final CompletableFuture<Long> answer = new CompletableFuture<>();

        final CompletableFuture<@Nullable Throwable> closed = new CompletableFuture<>();

        volatile long answerId = -1;

        @Override
        public void onFrame(Frame frame) {
            this.ids.add(frame.correlationId());
            this.threads.add(Thread.currentThread().getName());
            if (frame.correlationId() == this.answerId) {
                this.answer.complete(frame.correlationId());
            }
        }

        @Override
        public void onClosed(@Nullable Throwable cause) {
            this.closed.complete(cause);
        }

        String threadOf(long id) {
            return this.threads.get(this.ids.indexOf(id));
        }
    }

    @BeforeEach
    void connect() throws IOException {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, 1 << 20);
        this.sender = pair[0];
        this.receiver = pair[1];
        this.receiver.startReading(this.handler, "reader");
        // its first look at the socket takes the read lock for a moment: a caller that comes then is told
        // to wait for the reader thread instead (readUntil returns false), which these tests do not expect
        await().atMost(Duration.ofSeconds(10)).until(() -> this.receiver.readUntil(() -> true, 0, () -> true));
    }

    @AfterEach
    void close() {
        this.sender.close();
        this.receiver.close();
    }

    @Test
    void theCallerReadsUpToItsAnswerAndFramesKeepTheirOrder() throws Exception {
        this.handler.answerId = 99;
        sendLater(0, 100);

        assertThat(this.receiver.readUntil(this.handler.answer::isDone, System.nanoTime() + FAR, () -> true)).isTrue();

        assertThat(this.handler.answer).isCompletedWithValue(99L);
        assertThat(this.handler.threadOf(99)).isEqualTo(Thread.currentThread().getName());
        assertThat(this.handler.ids).containsExactlyElementsOf(range(0, 100));
    }

    @Test
    void whatTheCallerMayNotTakeTheReaderThreadHandlesInOrder() throws Exception {
        this.handler.answerId = 49;
        AtomicInteger handled = new AtomicInteger();
        sendLater(0, 50); // in one write: the caller's first read buffers them all

        this.receiver.readUntil(this.handler.answer::isDone, System.nanoTime() + FAR, () -> handled.getAndIncrement() < 10);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.handler.ids.size() == 50);
        assertThat(this.handler.ids).containsExactlyElementsOf(range(0, 50));
        assertThat(this.handler.threadOf(49)).isEqualTo("reader");
    }

    @Test
    void aCallerWhoseAnswerCameAnotherWayIsWokenFromItsWait() throws Exception {
        CompletableFuture<Long> elsewhere = new CompletableFuture<>();
        OwnThread.run(() -> {
            sleep(100);
            elsewhere.complete(1L);
            this.receiver.wakeReadingCaller();
        });
        long started = System.nanoTime();

        assertThat(this.receiver.readUntil(elsewhere::isDone, System.nanoTime() + FAR, () -> true)).isTrue();

        assertThat(System.nanoTime() - started).as("woken, not left to its deadline").isLessThan(FAR / 2);
    }

    @Test
    void anInterruptedCallerStopsAndTheFrameItReadHalfOfArrivesWhole() throws Exception {
        this.handler.answerId = 7;
        byte[] frame = frame(7, new byte[100]);
        Thread caller = Thread.currentThread();
        OwnThread.run(() -> {
            sleep(100); // written once the caller reads: before, the reader thread might be handling it then
            try {
                RawWire.write(this.sender, java.util.Arrays.copyOf(frame, 30));
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
            sleep(100);
            caller.interrupt();
        });

        assertThat(this.receiver.readUntil(this.handler.answer::isDone, System.nanoTime() + FAR, () -> true)).isTrue();

        assertThat(Thread.interrupted()).as("still interrupted").isTrue();
        assertThat(this.handler.ids).isEmpty();
        RawWire.write(this.sender, java.util.Arrays.copyOfRange(frame, 30, frame.length));
        assertThat(this.handler.answer.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(this.handler.threadOf(7)).isEqualTo("reader");
    }

    @Test
    void aFailureWhileTheCallerReadsIsReportedByTheReaderThread() throws Exception {
        OwnThread.run(() -> {
            sleep(100);
            try {
                RawWire.write(this.sender, RawWire.header(10, 77));
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });

        assertThat(this.receiver.readUntil(this.handler.answer::isDone, System.nanoTime() + FAR, () -> true)).isTrue();

        assertThat(this.handler.closed.get(10, TimeUnit.SECONDS)).isInstanceOf(IpcProtocolException.class)
            .hasMessage("malformed frame: unknown frame type 77");
        assertThat(this.receiver.isOpen()).isFalse();
    }

    @Test
    void noCallerReadsWhileAnotherDoes() throws Exception {
        CompletableFuture<Long> never = new CompletableFuture<>();
        CompletableFuture<Boolean> first = OwnThread.supply(
                () -> this.receiver.readUntil(never::isDone, System.nanoTime() + FAR, () -> true));
        await().atMost(Duration.ofSeconds(10)).until(() -> isLockedByAnother());

        assertThat(this.receiver.readUntil(never::isDone, System.nanoTime() + FAR, () -> true)).isFalse();

        never.complete(0L);
        this.receiver.wakeReadingCaller();
        assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    }

    private boolean isLockedByAnother() {
        CompletableFuture<Long> done = CompletableFuture.completedFuture(0L);
        return !this.receiver.readUntil(done::isDone, 0, () -> true);
    }

    private void sendLater(int from, int to) {
        OwnThread.run(() -> {
            sleep(100);
            try {
                ByteBuffer all = ByteBuffer.allocate((to - from) * (4 + Frame.HEADER_AFTER_LENGTH + 8));
                for (int id = from; id < to; id++) {
                    all.put(frame(id, new byte[8]));
                }
                RawWire.write(this.sender, all.array());
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
    }

    private static byte[] frame(long id, byte[] body) {
        return ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH + body.length)
            .putInt(Frame.HEADER_AFTER_LENGTH + body.length).put(FrameType.MESSAGE.code()).put((byte) 0).putLong(id)
            .put(body).array();
    }

    private static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.range(from, to).boxed().toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
