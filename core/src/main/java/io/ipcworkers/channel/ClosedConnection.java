package io.ipcworkers.channel;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

import org.jspecify.annotations.Nullable;

/** Stands in for a connection that never opened or is gone. */
final class ClosedConnection implements Connection {

    @Override
    public void send(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body) throws IOException {
        throw new ClosedChannelException();
    }

    @Override
    public void startReading(FrameHandler handler, String threadName) {
        handler.onClosed(null);
    }

    @Override
    public @Nullable Frame readFrame() {
        return null;
    }

    @Override
    public @Nullable Frame readFrame(java.time.Duration timeout) {
        return null;
    }

    @Override
    public boolean isOpen() {
        return false;
    }

    @Override
    public void close() {
    }
}
