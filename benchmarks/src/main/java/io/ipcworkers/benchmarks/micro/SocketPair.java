package io.ipcworkers.benchmarks.micro;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Two connected ends of a Unix domain socket in this JVM; the socket file is gone once they are. */
record SocketPair(SocketChannel near, SocketChannel far) {

    static SocketPair open() throws IOException {
        Path directory = Files.createTempDirectory("uds-bench-");
        Path file = directory.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(file));
            SocketChannel near = SocketChannel.open(UnixDomainSocketAddress.of(file));
            return new SocketPair(near, server.accept());
        }
        finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(directory);
        }
    }
}
