package io.ipcworkers.channel;

import org.jspecify.annotations.Nullable;

/** Receives what a connection's reader thread reads. Called on that thread, in wire order. */
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
