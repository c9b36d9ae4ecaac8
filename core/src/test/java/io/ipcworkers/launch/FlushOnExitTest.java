package io.ipcworkers.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipcworkers.Message;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.RawWire;
import io.ipcworkers.channel.SocketConnection;
import io.ipcworkers.worker.ConnectedParentProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exit hook that writes what a child has batched for its parent is bounded. (That it writes it
 * is {@code SeedParityTest.messagesSentJustBeforeATaskCallsSystemExitAllReachTheParent}.)
 */
class FlushOnExitTest {

    @TempDir
    Path directory;

    private SocketConnection child;

    private SocketConnection parentSide;

    @BeforeEach
    void connect() throws Exception {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, 1 << 20);
        this.child = pair[0];
        this.parentSide = pair[1];
    }

    @AfterEach
    void close() {
        this.child.close(); // ends the sender left blocked on the full socket
        this.parentSide.close();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a thread blocked on a monitor ignores interrupts
    void aParentThatReadsNothingDoesNotKeepTheChildFromExiting() throws Exception {
        ConnectedParentProcess parent = new ConnectedParentProcess(this.child, 1);
        blockASenderOnTheFullSocket(parent); // what it batched cannot be written: nobody reads
        long started = System.nanoTime();

        new WorkerMain.FlushOnExit(parent).run(); // as the JVM would on exit

        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .isGreaterThanOrEqualTo(Duration.ofMillis(WorkerMain.FlushOnExit.MAX_WAIT_MILLIS))
            .isLessThan(Duration.ofSeconds(5));
    }

    /** Sends from a thread of its own until a send waits for room that never comes (nobody reads). */
    private static void blockASenderOnTheFullSocket(ConnectedParentProcess parent) throws InterruptedException {
        String kilobyte = "x".repeat(1024);
        AtomicInteger sent = new AtomicInteger();
        Thread sender = new Thread(() -> {
            try {
                while (true) {
                    parent.sendMessage(Message.of("fill", kilobyte));
                    sent.incrementAndGet();
                }
            }
            catch (ProcessExitedException ex) {
                // the test closed the connection
            }
        }, "filling-sender");
        sender.setDaemon(true);
        sender.start();
        // a thread waiting on a selector is RUNNABLE: watch the count instead, once it has begun (the first
        // message starts Jackson, which can take longer than a look in a fresh JVM)
        int seen = -1;
        while (sent.get() == 0 || sent.get() != seen) {
            seen = sent.get();
            Thread.sleep(200);
        }
    }
}
