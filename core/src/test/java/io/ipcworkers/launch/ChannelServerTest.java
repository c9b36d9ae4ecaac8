package io.ipcworkers.launch;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.channel.SocketConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker socket's handshake: a child is let in only with the token it was given, from its own pid. */
class ChannelServerTest {

    @Test
    void aTokenPresentedFromAnotherPidIsRefusedAndTheChildItWasIssuedToStillConnects() throws Exception {
        try (ChannelServer server = new ChannelServer(1 << 20)) {
            String token = ChannelServer.newToken();
            CompletableFuture<Connection> connected = server.expect(token, 4242);

            try (SocketConnection thief = connect(server)) {
                hello(thief, 999, token);
                assertThat(thief.readFrame(Duration.ofSeconds(10))).as("closed by the server").isNull();
            }
            assertThat(connected).isNotDone();

            try (SocketConnection child = connect(server)) {
                hello(child, 4242, token);
                Connection accepted = connected.get(10, TimeUnit.SECONDS);
                assertThat(accepted.isOpen()).isTrue();
                accepted.close();
            }
        }
    }

    @Test
    void aChildExpectedOnlyAfterTheServerClosedIsToldAtOnceThatItCannotConnect() throws IOException {
        ChannelServer server = new ChannelServer(1 << 20);
        CompletableFuture<Connection> expectedBefore = server.expect(ChannelServer.newToken(), 4242);
        server.close();

        // a child started as its manager closed: without this, its start waited for it to exit (code 2: no socket)
        CompletableFuture<Connection> expectedAfter = server.expect(ChannelServer.newToken(), 4243);

        for (CompletableFuture<Connection> expected : List.of(expectedBefore, expectedAfter)) {
            assertThat(expected).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class)
                .withMessage("the worker socket was closed: its manager or pool is shutting down");
        }
    }

    private static SocketConnection connect(ChannelServer server) throws IOException {
        return new SocketConnection(SocketChannel.open(UnixDomainSocketAddress.of(server.socketPath())), 1 << 20);
    }

    private static void hello(SocketConnection connection, long pid, String token) throws IOException {
        connection.send(FrameType.HELLO, 0, 0, FrameWriter.BodyWriter.of(new ChannelServer.Hello(pid, token).encode()));
    }
}
