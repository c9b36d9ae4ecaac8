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
 * one reader thread per connection.
 */
public final class FrameReader {

    private static final int BLOCK_SIZE = 64 * 1024;

    private final ReadableByteChannel channel;

    private final int maxFrameLength;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK_SIZE).flip();

    private final Readiness readable;

    private final IoAction beforeWaiting;

    private volatile long bytesRead;

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
     * Reads the next frame; the deadline bounds the wait for a frame to begin. A frame that has begun
     * is read to its end (the peer writes frames whole), so a timeout never leaves half a frame behind.
     * @param deadlineNanos a {@link System#nanoTime()} value, or {@link Readiness#NONE}
     * @throws SocketTimeoutException when no frame began before the deadline
     */
    @Nullable Frame read(long deadlineNanos) throws IOException {
        if (!awaitFrameStart(deadlineNanos) || !fill(4)) {
            return null;
        }
        int length = this.buffer.getInt();
        if (length < Frame.HEADER_AFTER_LENGTH) {
            throw new IpcProtocolException("malformed frame: length " + length + " is shorter than the "
                    + Frame.HEADER_AFTER_LENGTH + "-byte header");
        }
        if (length > this.maxFrameLength) {
            throw new FrameTooLargeException("incoming", Integer.toUnsignedLong(length), this.maxFrameLength);
        }
        requireFill(Frame.HEADER_AFTER_LENGTH, length);
        byte code = this.buffer.get();
        FrameType type = FrameType.ofCode(code);
        if (type == null) {
            throw new IpcProtocolException("malformed frame: unknown frame type " + code);
        }
        int flags = this.buffer.get() & 0xFF;
        long correlationId = this.buffer.getLong();
        byte[] body = new byte[length - Frame.HEADER_AFTER_LENGTH];
        readBody(body, length);
        this.bytesRead += 4 + length; // single reader thread: a plain volatile add is enough
        return new Frame(type, flags, correlationId, body);
    }

    private void readBody(byte[] body, int frameLength) throws IOException {
        int buffered = Math.min(this.buffer.remaining(), body.length);
        this.buffer.get(body, 0, buffered);
        if (buffered == body.length) {
            return;
        }
        // the rest of a large body goes straight into its array, without passing the block buffer
        ByteBuffer target = ByteBuffer.wrap(body, buffered, body.length - buffered);
        while (target.hasRemaining()) {
            int read = this.channel.read(target);
            if (read < 0) {
                throw truncated(Frame.HEADER_AFTER_LENGTH + target.position(), frameLength);
            }
            if (read == 0) {
                awaitData(Readiness.NONE);
            }
        }
    }

    /** Ensures a byte is buffered; false on EOF. */
    private boolean awaitFrameStart(long deadlineNanos) throws IOException {
        if (this.buffer.hasRemaining()) {
            return true;
        }
        this.buffer.clear();
        try {
            while (true) {
                int read = this.channel.read(this.buffer);
                if (read < 0) {
                    return false;
                }
                if (read > 0) {
                    return true;
                }
                if (!awaitData(deadlineNanos)) {
                    throw new SocketTimeoutException("no frame began before the deadline");
                }
            }
        }
        finally {
            this.buffer.flip();
        }
    }

    private boolean awaitData(long deadlineNanos) throws IOException {
        this.beforeWaiting.run();
        return this.readable.await(deadlineNanos);
    }

    private void requireFill(int bytes, int frameLength) throws IOException {
        if (!fill(bytes)) {
            throw truncated(this.buffer.remaining(), frameLength);
        }
    }

    /** Ensures {@code bytes} are buffered; false on EOF before the first byte of a frame. */
    private boolean fill(int bytes) throws IOException {
        if (this.buffer.remaining() >= bytes) {
            return true;
        }
        this.buffer.compact();
        try {
            while (this.buffer.position() < bytes) {
                int read = this.channel.read(this.buffer);
                if (read < 0) {
                    if (this.buffer.position() == 0) {
                        return false;
                    }
                    throw truncated(this.buffer.position(), bytes);
                }
                if (read == 0) {
                    awaitData(Readiness.NONE);
                }
            }
        }
        finally {
            this.buffer.flip();
        }
        return true;
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
