package io.ipcworkers.channel;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Puts arbitrary bytes on a connection's wire, as a broken or hostile peer would. */
public final class RawWire {

    private RawWire() {
    }

    public static void write(Connection connection, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            ((SocketConnection) connection).channel().write(buffer);
        }
    }

    /** A frame header: length (counting what follows), type code, flags, correlation id. */
    public static byte[] header(int length, int typeCode) {
        return ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH).putInt(length).put((byte) typeCode).put((byte) 0)
            .putLong(0).array();
    }

    /** Two connections over a real Unix domain socket in the directory: the connecting side, then the accepting side. */
    public static SocketConnection[] connectedPair(java.nio.file.Path directory, int maxFrameLength) throws IOException {
        return connectedPair(directory, maxFrameLength, WriteStalls.DEFAULT_WARNING_NANOS);
    }

    /** The same, logging a send that has waited this long for the peer to read. */
    static SocketConnection[] connectedPair(java.nio.file.Path directory, int maxFrameLength,
            long writeStallWarningNanos) throws IOException {
        return connectedPair(directory, maxFrameLength, writeStallWarningNanos, SocketConnection.LINGER_NANOS);
    }

    /** The same, the tail of a stream waiting this long for the flusher. */
    static SocketConnection[] connectedPair(java.nio.file.Path directory, int maxFrameLength,
            long writeStallWarningNanos, long streamTailNanos) throws IOException {
        java.nio.file.Path socket = directory.resolve("s");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel
            .open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            SocketConnection connecting = new SocketConnection(
                    java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket)), maxFrameLength,
                    writeStallWarningNanos, streamTailNanos);
            SocketConnection accepted = new SocketConnection(server.accept(), maxFrameLength, writeStallWarningNanos,
                    streamTailNanos);
            java.nio.file.Files.deleteIfExists(socket);
            return new SocketConnection[] { connecting, accepted };
        }
    }

    /** Shuts the socket down for reading only: the peer's writes fail, while this side can still write. */
    public static void shutdownInput(Connection connection) {
        try {
            ((SocketConnection) connection).channel().shutdownInput();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** Closes the socket under the connection, as a child that drops its end would. */
    public static void closeSocket(Connection connection) {
        try {
            ((SocketConnection) connection).channel().close();
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
