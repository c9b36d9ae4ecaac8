package io.ipcworkers.channel;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicInteger;

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

        BodyWriter EMPTY = of(new byte[0]);

        void writeTo(OutputStream out) throws IOException;

        /** A body already encoded. A class, not a lambda: a worker's handshake uses it on its way to "ready". */
        static BodyWriter of(byte[] body) {
            return new EncodedBody(body);
        }
    }

    private static final class EncodedBody implements BodyWriter {

        private final byte[] body;

        EncodedBody(byte[] body) {
            this.body = body;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(this.body);
        }
    }

    private static final int HEADER_LENGTH = 4 + Frame.HEADER_AFTER_LENGTH;

    /** A batch this large is written by the sender itself: the socket's pace then limits the senders. */
    static final int BATCH_LIMIT = 64 * 1024;

    private static final int RETAINED_CAPACITY = 2 * 1024 * 1024;

    private final WritableByteChannel channel;

    private final int maxFrameLength;

    private final Readiness writable;

    /**
     * Guards {@link #pending}. Monitors rather than {@code ReentrantLock}s: the hot path compiles to
     * less code, and a first contention loads no classes (which would discard a compilation of the
     * senders' path that is under way).
     */
    private final Object appendLock = new Object();

    /** One batch on the wire at a time; guards {@link #spare}. Taken before {@link #appendLock}, never after. */
    private final Object writeLock = new Object();

    /** How many {@link #flush} calls are under way; they may be waiting for the socket. */
    private final AtomicInteger flushing = new AtomicInteger();

    private FrameBuffer pending = new FrameBuffer();

    /**
     * Whether a body is being written into {@link #pending}; guarded by {@link #appendLock}, so only the
     * thread writing it can see it set: a body writer (a payload's serializer) that sent or flushed on
     * this connection would otherwise split the frame it is in.
     */
    private boolean appending;

    private FrameBuffer spare = new FrameBuffer();

    private volatile long bytesWritten;

    private final WriteFailureListener writeFailures;

    private final WriteStalls stalls;

    /** Told when the channel refuses a write: the peer cannot be written to any more. */
    @FunctionalInterface
    interface WriteFailureListener {

        void writeFailed(IOException failure);
    }

    FrameWriter(WritableByteChannel channel, int maxFrameLength, Readiness writable,
            WriteFailureListener writeFailures, WriteStalls stalls) {
        this.channel = channel;
        this.maxFrameLength = maxFrameLength;
        this.writable = writable;
        this.writeFailures = writeFailures;
        this.stalls = stalls;
    }

    /**
     * Encodes a frame into the pending batch.
     * @return whether the batch was empty before, so nobody has been asked to flush it yet
     * @throws FrameTooLargeException when the frame is over the maximum; nothing of it was kept
     */
    boolean append(FrameType type, int flags, long correlationId, BodyWriter body) throws IOException {
        synchronized (this.appendLock) {
            refuseWhileAppending();
            FrameBuffer batch = this.pending;
            int start = batch.size();
            this.appending = true;
            try {
                batch.limitFrame(start, 4L + this.maxFrameLength);
                batch.skip(HEADER_LENGTH);
                body.writeTo(batch);
            }
            catch (IOException | RuntimeException ex) {
                batch.truncate(start);
                throw ex;
            }
            finally {
                this.appending = false;
            }
            batch.putHeader(start, type.code(), (byte) flags, correlationId);
            return start == 0;
        }
    }

    /** Under {@link #appendLock}: a thread that is writing a body must not append or flush on this connection. */
    private void refuseWhileAppending() {
        if (this.appending) {
            throw new IllegalStateException("Cannot send or flush on this connection while this thread writes a "
                    + "frame to it (a payload's serializer that sends or waits for a message?): the frame would be split");
        }
    }

    /**
     * Whether frames wait in the batch. Read without the append lock, which a sender holds while it
     * serializes its payload: a reader about to wait must not wait for that. A frame that this misses
     * while it is being appended has its flush arranged by its sender. But the flusher parks when this
     * says no, and only a batch's first frame wakes it, so the size read here must never drop while
     * frames wait: {@code FrameBuffer.grow} keeps it so, and {@link #flushWithoutWaiting}'s caller wakes
     * the flusher for what it left.
     */
    boolean hasPending() {
        return this.pending.size() > 0;
    }

    /** Whether the batch has grown so large that its sender should write it now. */
    boolean isBatchFull() {
        return this.pending.size() >= BATCH_LIMIT; // a racy read is fine: a hint only
    }

    /** Writes every frame appended so far; waits while the socket buffer is full. */
    void flush() throws IOException {
        this.flushing.incrementAndGet();
        try {
            writeBatch();
        }
        finally {
            this.flushing.decrementAndGet();
        }
    }

    private void writeBatch() throws IOException {
        synchronized (this.writeLock) {
            FrameBuffer batch;
            synchronized (this.appendLock) {
                refuseWhileAppending();
                batch = this.pending;
                if (batch.size() == 0) {
                    return;
                }
                this.pending = this.spare;
            }
            try {
                ByteBuffer bytes = batch.readyToWrite();
                while (bytes.hasRemaining()) {
                    if (this.channel.write(bytes) == 0) {
                        writeOnceWritable(bytes);
                    }
                }
                this.bytesWritten += batch.size(); // under the write lock: one writer at a time
            }
            catch (IOException ex) {
                this.writeFailures.writeFailed(ex);
                throw ex;
            }
            finally {
                batch.truncate(0);
                batch.shrinkIfHuge();
                this.spare = batch;
            }
        }
    }

    /**
     * The socket is full: waits until it takes more of the batch, for as long as the peer reads
     * nothing, and says so when that lasts. A method of its own, called only when the socket is full,
     * so that the write loop on every sender's path keeps its shape (benchmarks/README.md, item 33).
     */
    private void writeOnceWritable(ByteBuffer bytes) throws IOException {
        long stalledSince = System.nanoTime();
        long warnAt = this.stalls.warningDue(stalledSince);
        do {
            if (!this.writable.await(warnAt)) {
                this.stalls.stalled(stalledSince);
                warnAt = Readiness.NONE;
            }
        } while (this.channel.write(bytes) == 0);
        if (warnAt == Readiness.NONE) {
            this.stalls.resumed(stalledSince);
        }
    }

    /**
     * Writes as much of the batch as the socket takes at once, never waiting: not for the socket,
     * and not behind a {@link #flush} under way (checked without locking, so it may rarely wait for
     * one that starts at the same moment).
     * @return whether nothing is left to write
     */
    boolean flushWithoutWaiting() throws IOException {
        if (this.flushing.get() > 0) {
            return false;
        }
        synchronized (this.writeLock) {
            synchronized (this.appendLock) { // held for one non-blocking write: appenders wait no longer than that
                refuseWhileAppending();
                FrameBuffer batch = this.pending;
                int size = batch.size();
                if (size == 0) {
                    return true;
                }
                ByteBuffer bytes = batch.readyToWrite();
                try {
                    while (bytes.hasRemaining() && this.channel.write(bytes) > 0) {
                        // the socket takes more
                    }
                }
                catch (IOException ex) {
                    this.writeFailures.writeFailed(ex);
                    throw ex;
                }
                finally {
                    this.bytesWritten += bytes.position();
                    batch.keepUnwritten();
                }
                return batch.size() == 0;
            }
        }
    }

    /** Gives back the batch buffers of a closed connection; a frame appended afterwards gets a new one. */
    void release() {
        synchronized (this.writeLock) {
            synchronized (this.appendLock) {
                this.pending.release();
                this.spare.release();
            }
        }
    }

    /** Bytes of frames written so far. */
    public long bytesWritten() {
        return this.bytesWritten;
    }

    /**
     * A growable output stream over a direct buffer that is reused between batches: the socket takes
     * it as it is, where a heap array would first be copied to native memory on every write.
     */
    static final class FrameBuffer extends OutputStream {

        private static final int INITIAL_CAPACITY = 8192;

        private ByteBuffer bytes = ByteBuffer.allocateDirect(INITIAL_CAPACITY);

        /** Where the frame being encoded starts, and the most it may take from there. */
        private int frameStart;

        private long frameLimit = Long.MAX_VALUE;

        void limitFrame(int start, long limit) {
            this.frameStart = start;
            this.frameLimit = limit;
        }

        void truncate(int size) {
            this.bytes.clear().position(size);
        }

        void skip(int count) {
            ensureCapacity(this.bytes.position() + count);
            this.bytes.position(this.bytes.position() + count);
        }

        int size() {
            return this.bytes.position();
        }

        /** For tests. */
        int capacity() {
            return this.bytes.capacity();
        }

        /** Writes the header of the frame that starts at {@code start} and ends here. */
        void putHeader(int start, byte type, byte flags, long correlationId) {
            this.bytes.putInt(start, size() - start - 4)
                .put(start + 4, type)
                .put(start + 5, flags)
                .putLong(start + 6, correlationId);
        }

        /** The batch, from its start to its end; {@link #truncate} makes it writable again. */
        ByteBuffer readyToWrite() {
            return this.bytes.flip();
        }

        /** After a partial write of {@link #readyToWrite}: what was not written becomes the start of the batch. */
        void keepUnwritten() {
            this.bytes.compact();
        }

        void release() {
            this.bytes = ByteBuffer.allocate(0);
        }

        /** A 16 MiB frame should not pin 16 MiB of native memory for the connection's lifetime. */
        void shrinkIfHuge() {
            if (this.bytes.capacity() > RETAINED_CAPACITY) {
                this.bytes = ByteBuffer.allocateDirect(INITIAL_CAPACITY);
            }
        }

        @Override
        public void write(int b) {
            ensureCapacity(this.bytes.position() + 1);
            this.bytes.put((byte) b);
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensureCapacity((long) this.bytes.position() + length);
            this.bytes.put(source, offset, length);
        }

        /** Stops an oversized body as soon as it passes the limit, not after it was encoded whole. */
        private void ensureCapacity(long capacity) {
            long frameLength = capacity - this.frameStart;
            if (frameLength > this.frameLimit) {
                throw new FrameTooLargeException("outgoing", frameLength - 4, (int) (this.frameLimit - 4));
            }
            if (capacity > this.bytes.capacity()) {
                grow(capacity);
            }
        }

        /**
         * To the next power of two at least: grown to fit exactly, a large body written in one piece
         * left no room for the byte after it (a closing quote, say), whose growth by doubling then
         * passed the retained capacity and cost two new buffers for every such frame.
         */
        private void grow(long capacity) {
            long grown = Math.max(Long.highestOneBit(capacity - 1) << 1, 2L * this.bytes.capacity());
            long most = Math.min(Integer.MAX_VALUE - 8, this.frameStart + this.frameLimit);
            ByteBuffer larger = ByteBuffer.allocateDirect((int) Math.min(grown, most));
            // copied without moving the old buffer's position, and published with its own in place: the
            // flusher reads the size without the append lock, and parks for good on a batch it finds empty
            // after the batch's first frame woke it (only a first frame wakes it)
            int size = this.bytes.position();
            larger.put(0, this.bytes, 0, size).position(size);
            VarHandle.releaseFence();
            this.bytes = larger;
        }
    }
}
