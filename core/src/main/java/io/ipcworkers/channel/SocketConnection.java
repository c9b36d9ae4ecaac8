package io.ipcworkers.channel;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Connection} over a connected, blocking {@link SocketChannel} (a Unix domain socket here).
 * Blocking reads wake as soon as data arrives, and one read brings in a block of frames.
 */
public final class SocketConnection implements Connection {

    private final SocketChannel channel;

    private final FrameReader reader;

    private final FrameWriter writer;

    private volatile boolean closedLocally;

    public SocketConnection(SocketChannel channel, int maxFrameLength) {
        this.channel = channel;
        this.reader = new FrameReader(channel, maxFrameLength);
        this.writer = new FrameWriter(channel, maxFrameLength);
    }

    @Override
    public void send(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body) throws IOException {
        this.writer.write(type, flags, correlationId, body);
    }

    @Override
    public @Nullable Frame readFrame() throws IOException {
        return this.reader.read();
    }

    @Override
    public void startReading(FrameHandler handler, String threadName) {
        Thread thread = new Thread(() -> readLoop(handler), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void readLoop(FrameHandler handler) {
        Throwable cause = null;
        try {
            Frame frame;
            while ((frame = this.reader.read()) != null) {
                handler.onFrame(frame);
            }
        }
        catch (ClosedChannelException ex) {
            cause = this.closedLocally ? null : ex;
        }
        catch (Throwable ex) {
            cause = ex;
        }
        finally {
            close();
            handler.onClosed(cause);
        }
    }

    @Override
    public long bytesRead() {
        return this.reader.bytesRead();
    }

    @Override
    public long bytesWritten() {
        return this.writer.bytesWritten();
    }

    @Override
    public boolean isOpen() {
        return this.channel.isOpen();
    }

    @Override
    public void close() {
        this.closedLocally = true;
        try {
            this.channel.close();
        }
        catch (IOException ex) {
            // nothing left to release
        }
    }

    /** The underlying channel; for tests that need to put raw bytes on the wire. */
    SocketChannel channel() {
        return this.channel;
    }
}
