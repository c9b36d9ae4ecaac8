package io.ipcworkers.channel;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * Receives what a connection's reader thread reads: called on that thread, or on a caller reading for
 * its answer ({@link Connection#readUntil}), one at a time and in wire order. A handler called on a
 * caller's thread must not block waiting for other threads to read.
 */
public interface FrameHandler {

    /** A complete frame arrived. Exceptions thrown here close the connection. */
    void onFrame(Frame frame) throws Exception;

    /**
     * The connection ended; called exactly once, after the last frame.
     * @param cause {@code null} for a clean close by the peer or by this side, otherwise what broke it
     *     (an {@link io.ipcworkers.IpcProtocolException} for a protocol violation)
     */
    void onClosed(@Nullable Throwable cause);

    /**
     * A write to the peer failed: nothing more can be sent to it. Reading goes on (the peer's last
     * frames are still to come, then {@link #onClosed}), but a peer that stays alive with its end
     * broken for writing may never end the stream. Called at most once, on the thread that wrote,
     * before it is told by the exception; not after this side closed the connection.
     */
    default void onWriteFailed(IOException failure) {
    }
}
