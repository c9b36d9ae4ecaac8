package io.ipcworkers.channel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames to a blocking channel. The body is produced by a {@link BodyWriter} straight into a
 * reused buffer, so encoding a message allocates nothing per frame once the buffer has grown.
 * Thread-safe: concurrent senders are serialized, and a frame is always written whole.
 *
 * <p>An outgoing frame over the maximum is refused before a byte reaches the channel, so the
 * connection stays usable and the caller gets a {@link FrameTooLargeException}.
 */
public final class FrameWriter {

    /** Writes a frame body; may throw {@link FrameTooLargeException} part-way, leaving the channel untouched. */
    @FunctionalInterface
    public interface BodyWriter {

        BodyWriter EMPTY = (out) -> { };

        void writeTo(OutputStream out) throws IOException;
    }

    private static final int HEADER_LENGTH = 4 + Frame.HEADER_AFTER_LENGTH;

    private static final int RETAINED_CAPACITY = 1024 * 1024;

    private final WritableByteChannel channel;

    private final int maxFrameLength;

    private final ReentrantLock lock = new ReentrantLock();

    private final FrameBuffer buffer;

    private volatile long bytesWritten;

    public FrameWriter(WritableByteChannel channel, int maxFrameLength) {
        this.channel = channel;
        this.maxFrameLength = maxFrameLength;
        this.buffer = new FrameBuffer(4 + maxFrameLength);
    }

    public void write(FrameType type, int flags, long correlationId, BodyWriter body) throws IOException {
        this.lock.lock();
        try {
            FrameBuffer frame = this.buffer;
            frame.reset();
            frame.skip(HEADER_LENGTH);
            body.writeTo(frame);
            int length = frame.size() - 4;
            ByteBuffer bytes = ByteBuffer.wrap(frame.array(), 0, frame.size());
            bytes.putInt(length).put(type.code()).put((byte) flags).putLong(correlationId).rewind();
            while (bytes.hasRemaining()) {
                this.channel.write(bytes);
            }
            this.bytesWritten += frame.size(); // under the lock: one writer at a time
        }
        finally {
            this.buffer.shrinkIfHuge();
            this.lock.unlock();
        }
    }

    /** Bytes of frames written so far. */
    public long bytesWritten() {
        return this.bytesWritten;
    }

    /** A growable byte array output stream whose array is reused between frames. */
    static final class FrameBuffer extends OutputStream {

        private final int limit;

        private byte[] bytes = new byte[8192];

        private int size;

        FrameBuffer(int limit) {
            this.limit = limit;
        }

        void reset() {
            this.size = 0;
        }

        void skip(int count) {
            ensureCapacity(this.size + count);
            this.size += count;
        }

        int size() {
            return this.size;
        }

        byte[] array() {
            return this.bytes;
        }

        /** A 16 MiB frame should not pin 16 MiB for the connection's lifetime. */
        void shrinkIfHuge() {
            if (this.bytes.length > RETAINED_CAPACITY) {
                this.bytes = new byte[8192];
            }
        }

        @Override
        public void write(int b) {
            ensureCapacity(this.size + 1);
            this.bytes[this.size++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensureCapacity((long) this.size + length);
            System.arraycopy(source, offset, this.bytes, this.size, length);
            this.size += length;
        }

        /** Stops an oversized body as soon as it passes the limit, not after it was encoded whole. */
        private void ensureCapacity(long capacity) {
            if (capacity > this.limit) {
                throw new FrameTooLargeException("outgoing", capacity - 4, this.limit - 4);
            }
            if (capacity > this.bytes.length) {
                long grown = Math.max(capacity, 2L * this.bytes.length);
                this.bytes = Arrays.copyOf(this.bytes, (int) Math.min(grown, this.limit));
            }
        }
    }
}
