package io.ipcworkers.channel;

import org.jspecify.annotations.Nullable;

/**
 * What a frame carries. The code is the byte on the wire; codes are never reused, so an old peer
 * that meets a newer type rejects it clearly instead of misreading it.
 */
public enum FrameType {

    /** Child to parent, first frame: the per-child token and pid. */
    HELLO(1),
    /** Reserved: the task once came in a frame; it now comes with the bootstrap on stdin. Never valid on the wire. */
    TASK(2),
    /** Child to parent: the worker is set up and accepts messages; body may describe it (JSON). */
    READY(3),
    /** A topic message; no reply expected. */
    MESSAGE(4),
    /** A topic message whose sender waits for a {@link #REPLY} or {@link #ERROR} with its correlation id. */
    REQUEST(5),
    /** The successful answer to a {@link #REQUEST}: a message whose payload is the reply value. */
    REPLY(6),
    /**
     * The failed answer to a {@link #REQUEST}, or to a {@link #MESSAGE} with a correlation id (which it
     * acknowledges): a JSON body naming the exception type and message.
     */
    ERROR(7),
    /**
     * Acknowledges that the message with this correlation id has been handled, and with it every
     * message sent before it on this connection (a pool worker handles them in order).
     */
    ACK(8),
    /** Liveness signal, sent on a thread of its own. */
    HEARTBEAT(9),
    /** Parent to child: finish in-flight work and exit. */
    SHUTDOWN(10),
    /**
     * Parent to pool worker: give back the messages listed in the body (their correlation ids) whose
     * listeners have not started, so that an idle worker can take them.
     */
    REVOKE(11),
    /** Pool worker to parent, answering a {@link #REVOKE}: the messages it gave back, which it will not run. */
    REVOKED(12),
    /**
     * Parent to pool worker: interrupt the listener if it runs one of the requests listed in the body
     * (their correlation ids), whose callers no longer wait (cancelled, or timed out when the pool is
     * set to interrupt those), and do not start the others. Not answered: the listener's own answer is.
     */
    INTERRUPT(13),
    /**
     * Pool worker to parent: a signal asked it to stop (the body names it: {@code TERM}, {@code INT} or {@code HUP}); it
     * keeps working until the parent stops it, which the parent does once its work is done, replacing it
     * first unless the parent is stopping too.
     */
    LEAVE(14);

    private static final @Nullable FrameType[] BY_CODE = new FrameType[16];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final byte code;

    FrameType(int code) {
        this.code = (byte) code;
    }

    byte code() {
        return this.code;
    }

    static @Nullable FrameType ofCode(byte code) {
        return (code >= 0 && code < BY_CODE.length) ? BY_CODE[code] : null;
    }
}
