package io.ipcworkers.channel;

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
}
