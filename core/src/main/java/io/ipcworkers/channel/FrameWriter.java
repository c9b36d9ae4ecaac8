package io.ipcworkers.channel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames to a non-blocking channel, in batches. {@link #append} encodes a frame straight into
 * the pending batch (a reused buffer: once grown, encoding allocates nothing per frame);
 * {@link #flush} writes the whole batch with as few system calls as the socket allows. Appending
 * and writing are separately locked, so senders keep encoding while a batch is on its way out.
 * Thread-safe: frames are never interleaved and leave in the order they were appended.
 *
 * <p>An outgoing frame over the maximum is refused before a byte of it reaches the batch, so the
 * connection stays usable and the caller gets a {@link FrameTooLargeException}.
 */
public final class FrameWriter {

    /** Writes a frame body; may throw {@link FrameTooLargeException} part-way, leaving the batch untouched. */
    @FunctionalInterface
    public interface BodyWriter {

        BodyWriter EMPTY = (out) -> { };

        void writeTo(OutputStream out) throws IOException;
    }

    private static final int HEADER_LENGTH = 4 + Frame.HEADER_AFTER_LENGTH;

    /** A batch this large is written by the sender itself: the socket's pace then limits the senders. */
    static final int BATCH_LIMIT = 64 * 1024;

    private static final int WRITE_SLICE = 256 * 1024;

    private static final int RETAINED_CAPACITY = 2 * 1024 * 1024;

    private final WritableByteChannel channel;

    private final int maxFrameLength;

    private final Readiness writable;

    /** Guards {@link #pending}. */
    private final ReentrantLock appendLock = new ReentrantLock();

    /** One batch on the wire at a time; guards {@link #spare}. Taken before {@link #appendLock}, never after. */
    private final ReentrantLock writeLock = new ReentrantLock();

    private FrameBuffer pending = new FrameBuffer();

    private FrameBuffer spare = new FrameBuffer();

    private volatile long bytesWritten;

    FrameWriter(WritableByteChannel channel, int maxFrameLength, Readiness writable) {
        this.channel = channel;
        this.maxFrameLength = maxFrameLength;
        this.writable = writable;
    }

    /**
     * Encodes a frame into the pending batch.
     * @return whether the batch was empty before, so nobody has been asked to flush it yet
     * @throws FrameTooLargeException when the frame is over the maximum; nothing of it was kept
     */
    boolean append(FrameType type, int flags, long correlationId, BodyWriter body) throws IOException {
        this.appendLock.lock();
        try {
            FrameBuffer batch = this.pending;
            int start = batch.size();
            try {
                batch.limitFrame(start, 4L + this.maxFrameLength);
                batch.skip(HEADER_LENGTH);
                body.writeTo(batch);
            }
            catch (IOException | RuntimeException ex) {
                batch.truncate(start);
                throw ex;
            }
            ByteBuffer.wrap(batch.array(), start, HEADER_LENGTH)
                .putInt(batch.size() - start - 4).put(type.code()).put((byte) flags).putLong(correlationId);
            return start == 0;
        }
        finally {
            this.appendLock.unlock();
        }
    }

    /** Whether frames wait in the batch. */
    boolean hasPending() {
        this.appendLock.lock();
        try {
            return this.pending.size() > 0;
        }
        finally {
            this.appendLock.unlock();
        }
    }

    /** Whether the batch has grown so large that its sender should write it now. */
    boolean isBatchFull() {
        return this.pending.size() >= BATCH_LIMIT; // a racy read is fine: a hint only
    }

    /** Writes every frame appended so far; waits while the socket buffer is full. */
    void flush() throws IOException {
        this.writeLock.lock();
        try {
            FrameBuffer batch;
            this.appendLock.lock();
            try {
                batch = this.pending;
                if (batch.size() == 0) {
                    return;
                }
                this.pending = this.spare;
            }
            finally {
                this.appendLock.unlock();
            }
            try {
                int written = 0;
                while (written < batch.size()) {
                    // in slices: the JDK copies a heap buffer's whole remainder to native memory per call
                    int slice = Math.min(batch.size() - written, WRITE_SLICE);
                    int count = this.channel.write(ByteBuffer.wrap(batch.array(), written, slice));
                    written += count;
                    if (count == 0) {
                        this.writable.await(Readiness.NONE);
                    }
                }
                this.bytesWritten += batch.size(); // under the write lock: one writer at a time
            }
            finally {
                batch.truncate(0);
                batch.shrinkIfHuge();
                this.spare = batch;
            }
        }
        finally {
            this.writeLock.unlock();
        }
    }

    /** Bytes of frames written so far. */
    public long bytesWritten() {
        return this.bytesWritten;
    }

    /** A growable byte array output stream whose array is reused between frames. */
    static final class FrameBuffer extends OutputStream {

        private byte[] bytes = new byte[8192];

        private int size;

        /** Where the frame being encoded starts, and the most it may take from there. */
        private int frameStart;

        private long frameLimit = Long.MAX_VALUE;

        void limitFrame(int start, long limit) {
            this.frameStart = start;
            this.frameLimit = limit;
        }

        void truncate(int size) {
            this.size = size;
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
            long frameLength = capacity - this.frameStart;
            if (frameLength > this.frameLimit) {
                throw new FrameTooLargeException("outgoing", frameLength - 4, (int) (this.frameLimit - 4));
            }
            if (capacity > this.bytes.length) {
                long grown = Math.max(capacity, 2L * this.bytes.length);
                long most = Math.min(Integer.MAX_VALUE - 8, this.frameStart + this.frameLimit);
                this.bytes = Arrays.copyOf(this.bytes, (int) Math.min(grown, most));
            }
        }
    }
}
