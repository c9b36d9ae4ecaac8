package io.ipcworkers.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.OwnThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A send that waits long for its peer to read says so, once, and again when it moves on. */
@Timeout(30)
class WriteStallsTest {

    private static final int MAX_FRAME = 4 * 1024 * 1024;

    private static final int FRAME = 1024 * 1024;

    @TempDir
    Path directory;

    private SocketConnection sending;

    private SocketConnection receiving;

    private final CapturedLog log = new CapturedLog(SocketConnection.class);

    @AfterEach
    void close() {
        this.log.close();
        this.sending.close();
        this.receiving.close();
    }

    @Test
    void aSendToAPeerThatReadsNothingIsLoggedOnceNamingThePeerAndAgainWhenItReads() throws Exception {
        connect(Duration.ofMillis(200));
        this.sending.describePeer("Child 4242");
        CompletableFuture<Void> sender = sendFrames(8); // far more than the socket holds

        await().atMost(Duration.ofSeconds(10)).until(() -> !stallWarnings().isEmpty());
        assertThat(stallWarnings().get(0)).startsWith("Child 4242 has read nothing sent to it for ")
            .contains("the send waits until it reads")
            .contains("must then read its messages while sending to it");
        Thread.sleep(600); // three more warning periods of the same stall
        assertThat(stallWarnings()).hasSize(1);
        assertThat(sender).isNotDone();

        for (int i = 0; i < 8; i++) {
            assertThat(this.receiving.readFrame(Duration.ofSeconds(10)).body()).hasSize(FRAME);
        }
        sender.get(10, TimeUnit.SECONDS);
        // reading at full speed, the sender should not stall for 200 ms again; if a busy machine makes it,
        // that stall is reported and its end too
        assertThat(this.log.messages()).filteredOn((message) -> message.startsWith("Child 4242 read again; the send had waited "))
            .hasSameSizeAs(stallWarnings());
    }

    @Test
    void aPeerThatReadsSlowlyButSteadilyIsNotReported() throws Exception {
        connect(Duration.ofSeconds(2));
        CompletableFuture<Void> sender = sendFrames(12);
        for (int i = 0; i < 12; i++) {
            Thread.sleep(100); // the sender waits each time, never 2 s in a row
            assertThat(this.receiving.readFrame(Duration.ofSeconds(10)).body()).hasSize(FRAME);
        }
        sender.get(10, TimeUnit.SECONDS);
        assertThat(this.log.messages()).isEmpty();
    }

    @Test
    void aPeerNotNamedIsCalledTheOtherProcess() throws Exception {
        connect(Duration.ofMillis(100));
        CompletableFuture<Void> sender = sendFrames(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> !stallWarnings().isEmpty());
        assertThat(stallWarnings().get(0)).startsWith("The other process has read nothing sent to it for ");
        for (int i = 0; i < 4; i++) {
            this.receiving.readFrame(Duration.ofSeconds(10));
        }
        sender.get(10, TimeUnit.SECONDS);
    }

    private void connect(Duration stallWarning) throws IOException {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, MAX_FRAME, stallWarning.toNanos());
        this.sending = pair[0];
        this.receiving = pair[1];
    }

    private CompletableFuture<Void> sendFrames(int count) {
        return OwnThread.run(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    this.sending.send(FrameType.MESSAGE, 0, i, FrameWriter.BodyWriter.of(new byte[FRAME]));
                }
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
    }

    private List<String> stallWarnings() {
        return this.log.messages().stream().filter((message) -> message.contains("has read nothing sent to it")).toList();
    }
}
