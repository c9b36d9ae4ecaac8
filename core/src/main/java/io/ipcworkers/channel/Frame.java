package io.ipcworkers.channel;

/**
 * One complete frame as read from the wire.
 *
 * <p>Layout: {@code int32 length | byte type | byte flags | int64 correlationId | body}, big-endian,
 * where {@code length} counts every byte after itself. Flags and correlation id give later protocol
 * features (acks, heartbeats, redelivery) room without changing the header.
 *
 * @param type what the frame carries
 * @param flags bit flags, see the {@code FLAG_} constants
 * @param correlationId pairs a request with its reply; 0 when unused
 * @param body the payload bytes, owned by this frame
 */
public record Frame(FrameType type, int flags, long correlationId, byte[] body) {

    /** Bytes between the length field and the body. */
    public static final int HEADER_AFTER_LENGTH = 1 + 1 + 8;

    /** Set on a {@link FrameType#MESSAGE} that answers another message: its own return value is not sent back. */
    public static final int FLAG_REPLY = 1;

    /**
     * Set on a {@link FrameType#REQUEST} whose body ends with its caller's deadline
     * ({@link io.ipcworkers.codec.RequestDeadline}): a worker that reaches it later answers that it
     * expired instead of running it.
     */
    public static final int FLAG_DEADLINE = 2;

    /**
     * Set on a {@link FrameType#MESSAGE} or {@link FrameType#REQUEST} handed to a worker again after
     * another died with it: the worker writes out what it has answered before running it, so that if
     * it dies in it, the parent knows the messages behind it never started.
     */
    public static final int FLAG_REDELIVERED = 4;

    /**
     * Set on a pool's {@link FrameType#MESSAGE} or {@link FrameType#REQUEST} whose body has headers
     * after its message ({@link io.ipcworkers.codec.MessageHeaders}), before a request's deadline.
     */
    public static final int FLAG_HEADERS = 8;

    /** Default maximum frame length: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

    public boolean hasFlag(int flag) {
        return (this.flags & flag) != 0;
    }
}
