package io.ipcworkers.launch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.OwnThread;
import io.ipcworkers.channel.Connection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How a launch tells a child that connected from one that did not, from the two things it waits on:
 * the handshake (on a thread of the server's) and the process's exit (on the JDK's reaper thread).
 */
class ChildLauncherTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Connection connection = Connection.CLOSED;

    /**
     * A child that connects, runs a quick task and exits may be seen to exit before its handshake is
     * through: it ran, and what it sent is on its connection. It used to be reported as having
     * exited "before it could be given its task".
     */
    @Test
    void aChildSeenToExitBeforeItsHandshakeIsThroughStillHasItsConnection() {
        CompletableFuture<Connection> connecting = new CompletableFuture<>();
        OwnThread.run(() -> { // the handshake, through a moment after the exit was seen
            sleep(100);
            connecting.complete(this.connection);
        });

        assertThat(ChildLauncher.awaitConnection(connecting, CompletableFuture.completedFuture(null), START_TIMEOUT, 42))
            .isSameAs(this.connection);
    }

    @Test
    void aChildThatExitedWithoutConnectingIsReportedSoonNotAtTheStartTimeout() {
        long started = System.nanoTime();
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> ChildLauncher
            .awaitConnection(new CompletableFuture<>(), CompletableFuture.completedFuture(null), START_TIMEOUT, 42));
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .isGreaterThanOrEqualTo(Duration.ofMillis(ChildLauncher.CONNECTION_AFTER_EXIT_MILLIS))
            .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aChildThatConnectedIsGivenItsConnectionAtOnce() {
        assertThat(ChildLauncher.awaitConnection(CompletableFuture.completedFuture(this.connection),
                new CompletableFuture<>(), START_TIMEOUT, 42))
            .isSameAs(this.connection);
    }

    @Test
    void aChildThatNeitherConnectsNorExitsTimesOutNamingTheSetting() {
        assertThatExceptionOfType(IpcTimeoutException.class)
            .isThrownBy(() -> ChildLauncher.awaitConnection(new CompletableFuture<>(), new CompletableFuture<>(),
                    Duration.ofMillis(200), 42))
            .withMessage("Child 42 did not connect within PT0.2S (raise the start timeout for slow-starting workers)");
    }

    @Test
    void aServerClosedBeforeTheChildConnectedSaysSo() {
        CompletableFuture<Connection> connecting = new CompletableFuture<>();
        connecting.completeExceptionally(new IpcException("the worker socket was closed"));
        assertThatExceptionOfType(IpcException.class)
            .isThrownBy(() -> ChildLauncher.awaitConnection(connecting, new CompletableFuture<>(), START_TIMEOUT, 42))
            .withMessage("Child 42 could not connect: the worker socket was closed");
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
