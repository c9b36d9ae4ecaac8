package io.ipcworkers.channel;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

import io.ipcworkers.IpcProtocolException;
import org.jspecify.annotations.Nullable;

/**
 * Reads complete frames from a non-blocking channel, in blocks: one {@code read} call usually brings
 * in many small frames. When nothing is there it runs the "before waiting" action (the connection
 * flushes its batched writes: whoever waits for an answer has sent what it asks about) and then
 * waits for data. Knows bytes only; what a body means is the codec's business.
 *
 * <p>The length field is checked against the maximum before anything is allocated for the body, so
 * a hostile peer cannot make this side allocate more than {@code maxFrameLength}. Not thread-safe:
 * one reader at a time (the connection's read lock sees to it).
 */
public final class FrameReader {

    private static final int BLOCK_SIZE = 64 * 1024;

    /**
     * What {@link #readAvailable()} returns when no whole frame can be had without waiting, and
     * {@link #readOrNotYet} when a wait ended without one.
     */
    static final Frame NOT_YET = new Frame(FrameType.HEARTBEAT, 0, 0, new byte[0]);

    /** Deadline meaning "do not wait at all". */
    private static final long NO_WAIT = Long.MIN_VALUE;

    private static final int FILLED = 0;

    private static final int END = 1;

    private static final int NOT_NOW = 2;

    private final ReadableByteChannel channel;

    /** Changed only before the connection is shared (a handshake reads its first frame under a smaller one). */
    private int maxFrameLength;

    /** Native memory, so the socket reads into it without a copy; given back by {@link #release}. */
    private ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK_SIZE).flip();

    private final Readiness readable;

    private final IoAction beforeWaiting;

    private volatile long bytesRead;

    /** The frame being read, from its header on; null between frames. */
    private byte @Nullable [] body;

    private int bodyRead;

    private FrameType type = FrameType.MESSAGE;

    private int flags;

    private long correlationId;

    /** What to do before the reader waits for data. */
    @FunctionalInterface
    interface IoAction {

        void run() throws IOException;
    }

    FrameReader(ReadableByteChannel channel, int maxFrameLength, Readiness readable, IoAction beforeWaiting) {
        this.channel = channel;
        this.maxFrameLength = maxFrameLength;
        this.readable = readable;
        this.beforeWaiting = beforeWaiting;
    }

    /**
     * Reads the next frame, waiting until it is complete.
     * @return the frame, or {@code null} when the peer closed the channel cleanly between frames
     * @throws IpcProtocolException for a malformed, oversized or truncated frame
     * @throws IOException when the channel fails
     */
    public @Nullable Frame read() throws IOException {
        return read(Readiness.NONE);
    }

    /**
     * Reads the next frame, waiting until the deadline at most. A frame that stalls part-way is kept
     * as far as it came: the next call goes on where this one stopped, so a timeout loses nothing.
     * @param deadlineNanos a {@link System#nanoTime()} value, or {@link Readiness#NONE}
     * @throws SocketTimeoutException when no complete frame arrived before the deadline
     */
    @Nullable Frame read(long deadlineNanos) throws IOException {
        return read(deadlineNanos, true);
    }

    /**
     * Like {@link #read(long)}, for a caller that looks again after any wait that ends without a
     * frame (its deadline, or {@link Readiness#wakeup()}): returns {@link #NOT_YET} then instead of
     * throwing, which would cost a stack trace every time.
     */
    @Nullable Frame readOrNotYet(long deadlineNanos) throws IOException {
        return read(deadlineNanos, false);
    }

    private @Nullable Frame read(long deadlineNanos, boolean timeoutThrows) throws IOException {
        if (this.body == null) {
            int filled = fill(4, deadlineNanos, timeoutThrows);
            if (filled != FILLED) {
                return (filled == END) ? null : NOT_YET;
            }
            checkLength(this.buffer.getInt(this.buffer.position())); // peeked: a timeout below keeps it buffered
            filled = fill(4 + Frame.HEADER_AFTER_LENGTH, deadlineNanos, timeoutThrows);
            if (filled == END) {
                throw truncated(this.buffer.remaining(), 4 + Frame.HEADER_AFTER_LENGTH);
            }
            if (filled == NOT_NOW) {
                return NOT_YET;
            }
            startFrame();
        }
        byte[] body = this.body;
        if (!readBody(body, deadlineNanos, timeoutThrows)) {
            return NOT_YET;
        }
        Frame frame = new Frame(this.type, this.flags, this.correlationId, body);
        this.body = null;
        this.bytesRead += 4 + Frame.HEADER_AFTER_LENGTH + body.length; // one reader at a time: a volatile add is enough
        return frame;
    }

    /**
     * Reads the next frame into {@code slot}, waiting until it is complete: one that is in the read
     * block whole is copied into the slot's own memory, and makes no object; any other is read as
     * {@link #read()} reads it, and the slot holds it.
     * @return false when the peer closed the channel cleanly between frames
     */
    boolean readInto(FrameSlot slot) throws IOException {
        if (this.body == null) {
            if (fill(4, Readiness.NONE, true) == END) {
                return false;
            }
            int length = this.buffer.getInt(this.buffer.position());
            checkLength(length);
            if (this.buffer.remaining() - 4 >= length) {
                int bodyLength = takeHeader();
                this.buffer.get(slot.reuse(this.type, this.flags, this.correlationId, bodyLength), 0, bodyLength);
                this.bytesRead += 4 + length;
                return true;
            }
        }
        Frame frame = read();
        if (frame == null) {
            return false;
        }
        slot.hold(frame);
        return true;
    }

    /**
     * Reads the next frame if the channel has the rest of it now, without waiting; a frame that has
     * come only in part is kept, as after a timeout.
     * @return the frame, {@link #NOT_YET}, or {@code null} when the peer closed the channel cleanly
     */
    @Nullable Frame readAvailable() throws IOException {
        return read(NO_WAIT, true);
    }

    /** Whether the next {@link #read} returns a frame that is already buffered, without touching the channel. */
    boolean hasBufferedFrame() {
        if (this.body != null || this.buffer.remaining() < 4) {
            return false;
        }
        int length = this.buffer.getInt(this.buffer.position());
        return length >= Frame.HEADER_AFTER_LENGTH && this.buffer.remaining() - 4 >= length;
    }

    /** Whether part of a frame has been read and the rest is still to come. */
    boolean isMidFrame() {
        return this.body != null || this.buffer.hasRemaining();
    }

    void setMaxFrameLength(int maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    /** The length is checked before anything is allocated for the body. */
    private void checkLength(int length) {
        if (length < Frame.HEADER_AFTER_LENGTH) {
            throw new IpcProtocolException("malformed frame: length " + length + " is shorter than the "
                    + Frame.HEADER_AFTER_LENGTH + "-byte header");
        }
        if (length > this.maxFrameLength) {
            throw new FrameTooLargeException("incoming", Integer.toUnsignedLong(length), this.maxFrameLength);
        }
    }

    /** Takes the (checked) header off the buffer and sets up the body. */
    private void startFrame() {
        this.body = new byte[takeHeader()];
        this.bodyRead = 0;
    }

    /** Takes the (checked) header off the buffer; returns the length of the body. */
    private int takeHeader() {
        int length = this.buffer.getInt();
        byte code = this.buffer.get();
        FrameType type = FrameType.ofCode(code);
        if (type == null) {
            throw new IpcProtocolException("malformed frame: unknown frame type " + code);
        }
        this.type = type;
        this.flags = this.buffer.get() & 0xFF;
        this.correlationId = this.buffer.getLong();
        return length - Frame.HEADER_AFTER_LENGTH;
    }

    /**
     * Reads the rest of the body; false when it would have to wait and the deadline is
     * {@link #NO_WAIT}, or when a wait ended without the rest and timeouts do not throw.
     */
    private boolean readBody(byte[] body, long deadlineNanos, boolean timeoutThrows) throws IOException {
        int buffered = Math.min(this.buffer.remaining(), body.length - this.bodyRead);
        this.buffer.get(body, this.bodyRead, buffered);
        this.bodyRead += buffered;
        if (this.bodyRead == body.length) {
            return true;
        }
        // the rest of a large body goes straight into its array, without passing the block buffer
        ByteBuffer target = ByteBuffer.wrap(body, this.bodyRead, body.length - this.bodyRead);
        try {
            while (target.hasRemaining()) {
                int read = this.channel.read(target);
                if (read < 0) {
                    throw truncated(4 + Frame.HEADER_AFTER_LENGTH + target.position(),
                            4 + Frame.HEADER_AFTER_LENGTH + body.length);
                }
                if (read == 0 && !awaitData(deadlineNanos, timeoutThrows, true)) {
                    return false;
                }
            }
            return true;
        }
        finally {
            this.bodyRead = target.position();
        }
    }

    /**
     * Waits for more data to read.
     * @return false when the read should end without a frame: the deadline is {@link #NO_WAIT}, or
     *     the wait ended without data and timeouts do not throw
     * @throws SocketTimeoutException when the wait ended without data and timeouts throw
     */
    private boolean awaitData(long deadlineNanos, boolean timeoutThrows, boolean frameBegun) throws IOException {
        if (deadlineNanos == NO_WAIT) {
            return false;
        }
        this.beforeWaiting.run();
        if (this.readable.await(deadlineNanos)) {
            return true;
        }
        if (!timeoutThrows) {
            return false;
        }
        throw new SocketTimeoutException(frameBegun ? "a frame stalled part-way before the deadline"
                : "no frame began before the deadline");
    }

    /**
     * Ensures {@code bytes} are buffered. What came before a timeout stays buffered.
     * @return {@link #FILLED}; {@link #END} at the end of the stream before the first byte of a frame;
     *     {@link #NOT_NOW} when it would have to wait and the deadline is {@link #NO_WAIT}, or when a
     *     wait ended without them and timeouts do not throw
     */
    private int fill(int bytes, long deadlineNanos, boolean timeoutThrows) throws IOException {
        if (this.buffer.remaining() >= bytes) {
            return FILLED;
        }
        this.buffer.compact();
        try {
            while (this.buffer.position() < bytes) {
                int read = this.channel.read(this.buffer);
                if (read < 0) {
                    if (this.buffer.position() == 0) {
                        return END;
                    }
                    throw truncated(this.buffer.position(), bytes);
                }
                if (read == 0 && !awaitData(deadlineNanos, timeoutThrows, this.buffer.position() > 0)) {
                    return NOT_NOW;
                }
            }
        }
        finally {
            this.buffer.flip();
        }
        return FILLED;
    }

    /**
     * Gives back the read block, for a reader that will read no more from its closed channel: the
     * owner of a finished connection may keep it long after. A read afterwards fails as the closed
     * channel does.
     */
    void release() {
        this.buffer = ByteBuffer.allocate(0);
        this.body = null;
    }

    /** Bytes of complete frames read so far. */
    public long bytesRead() {
        return this.bytesRead;
    }

    private static IpcProtocolException truncated(int received, int expected) {
        return new IpcProtocolException("truncated frame: the connection closed after " + received + " of "
                + expected + " expected bytes");
    }
}
