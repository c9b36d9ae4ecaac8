package io.ipcworkers.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.OwnThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Frames read ahead while the thread that reads is busy elsewhere: in order, within their limit, never beside a reader. */
@Timeout(30)
class ReadAheadTest {

    private static final int MAX_FRAME = 4 * 1024 * 1024;

    private static final long BUDGET = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path directory;

    private SocketConnection sending;

    private SocketConnection receiving;

    @BeforeEach
    void connect() throws IOException {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, MAX_FRAME);
        this.sending = pair[0];
        this.receiving = pair[1];
    }

    @AfterEach
    void close() {
        this.sending.close();
        this.receiving.close();
    }

    @Test
    void framesReadAheadComeFirstAndInOrder() throws Exception {
        send(1, 100);
        send(2, 100);
        await().until(() -> this.receiving.readAhead(MAX_FRAME, 0) && this.receiving.framesAhead() == 2);
        send(3, 100); // on the socket

        assertThat(this.receiving.readFrame().correlationId()).isEqualTo(1);
        assertThat(this.receiving.hasBufferedFrame()).as("the second, read ahead").isTrue();
        assertThat(this.receiving.readFrame().correlationId()).isEqualTo(2);
        assertThat(this.receiving.framesAhead()).isZero();
        assertThat(this.receiving.readFrame().correlationId()).isEqualTo(3);
    }

    @Test
    void framesReadAheadComeFirstIntoASlotTooAndKeepTheirOwnBodies() throws Exception {
        send(1, 100);
        send(2, 100);
        await().until(() -> this.receiving.readAhead(MAX_FRAME, 0) && this.receiving.framesAhead() == 2);
        send(3, 100);
        FrameSlot slot = new FrameSlot();

        assertThat(this.receiving.readFrame(slot)).isTrue();
        assertThat(slot.correlationId()).isEqualTo(1);
        assertThat(slot.keptBody(slot.length())).as("a frame read ahead owns its body").isSameAs(slot.body());
        assertThat(this.receiving.readFrame(slot)).isTrue();
        assertThat(slot.correlationId()).isEqualTo(2);
        assertThat(this.receiving.readFrame(slot)).isTrue();
        assertThat(slot.correlationId()).isEqualTo(3);
        assertThat(slot.length()).isEqualTo(100);
    }

    @Test
    void aFrameLargerThanTheSocketHoldsIsTakenWhileItsSenderWritesIt() throws Exception {
        CompletableFuture<Void> sender = sendOnItsOwnThread(7, 3 * 1024 * 1024);
        Thread.sleep(200);
        assertThat(sender).as("the socket holds far less than the frame").isNotDone();

        assertThat(this.receiving.readAhead(MAX_FRAME, BUDGET)).isTrue();
        sender.get(10, TimeUnit.SECONDS); // through, with no read of the frame
        assertThat(this.receiving.framesAhead()).isOne();
        Frame frame = this.receiving.readFrame();
        assertThat(frame.correlationId()).isEqualTo(7);
        assertThat(frame.body()).hasSize(3 * 1024 * 1024);
    }

    @Test
    void readingAheadStopsAtItsLimit() throws Exception {
        for (int id = 1; id <= 5; id++) {
            send(id, 1000);
        }
        // taken until the limit is reached: the frame that reaches it is the last
        await().until(() -> this.receiving.readAhead(2_500, 0) && this.receiving.framesAhead() == 3);
        assertThat(this.receiving.readAhead(2_500, BUDGET)).isTrue();
        assertThat(this.receiving.framesAhead()).isEqualTo(3);

        assertThat(this.receiving.readFrame().correlationId()).isEqualTo(1);
        assertThat(this.receiving.readAhead(2_500, BUDGET)).isTrue();
        assertThat(this.receiving.framesAhead()).isEqualTo(3);
        for (int id = 2; id <= 5; id++) {
            assertThat(this.receiving.readFrame().correlationId()).isEqualTo(id);
        }
    }

    @Test
    void nothingIsReadAheadWhileAnotherThreadReads() throws Exception {
        CompletableFuture<Frame> reading = OwnThread.supply(() -> {
            try {
                return this.receiving.readFrame();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        await().until(() -> !this.receiving.readAhead(MAX_FRAME, 0)); // the reader waits, holding the read
        send(9, 10);
        assertThat(reading.get(10, TimeUnit.SECONDS).correlationId()).isEqualTo(9);
        assertThat(this.receiving.framesAhead()).isZero();
    }

    private void send(long id, int size) throws IOException {
        this.sending.send(FrameType.MESSAGE, 0, id, FrameWriter.BodyWriter.of(new byte[size]));
    }

    private CompletableFuture<Void> sendOnItsOwnThread(long id, int size) {
        return OwnThread.run(() -> {
            try {
                send(id, size);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
    }
}
