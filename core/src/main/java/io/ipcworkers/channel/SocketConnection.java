package io.ipcworkers.channel;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Connection} over a connected {@link SocketChannel} (a Unix domain socket here), used in
 * non-blocking mode so that reads can wait with a deadline.
 *
 * <p>Writing: {@link #send} writes before it returns; {@link #sendBatched} adds the frame to a batch
 * that goes out in one system call with the frames that follow it. A batched send on an idle
 * connection is written at once (nothing to batch it with, and someone may be waiting for it); on a
 * busy one the batch is flushed by this connection's flusher thread, by the sender once the batch
 * is large, or by a reader of this connection that is about to wait. A sender that streams (fills
 * whole batches itself, or writes its batch before it waits for room to send more) is left to it:
 * the flusher then writes the last, partial batch at most a millisecond after the stream stops,
 * rather than being woken for every batch.
 *
 * <p>Reading: either pulled on the caller's thread ({@link #readFrame()}), which is what a single
 * consumer wants (no hand-off between threads per message), or pushed to a {@link FrameHandler} by a
 * reader thread ({@link #startReading}). Reads take whole blocks; a wait wakes on data.
 */
public final class SocketConnection implements Connection {

    /** A batched send this long after the previous one finds the connection idle and is written at once. */
    private static final long IDLE_NANOS = TimeUnit.MICROSECONDS.toNanos(5);

    /** How long the tail of a stream of sends may wait for more before the flusher writes it. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final SocketChannel channel;

    private final Readiness readable;

    private final Readiness writable;

    private final FrameReader reader;

    private final FrameWriter writer;

    /** One puller at a time; a reader thread holds it for good. */
    private final ReentrantLock readLock = new ReentrantLock();

    private volatile @Nullable Thread flusher;

    /** Made with the connection: a class defined mid-stream would discard compilations under way. */
    private final Runnable flushTask = new FlushLoop();

    private volatile boolean readerThread;

    private volatile long lastBatchedSendNanos = System.nanoTime() - IDLE_NANOS;

    /** When a sender last wrote its batch itself: a full one, or before it waited for room. */
    private volatile long lastSenderFlushNanos = System.nanoTime() - LINGER_NANOS;

    /** When the flusher should write the pending batch. */
    private volatile long flushDueNanos;

    private volatile boolean flusherLingering;

    private volatile boolean closedLocally;

    public SocketConnection(SocketChannel channel, int maxFrameLength) throws IOException {
        channel.configureBlocking(false);
        this.channel = channel;
        this.readable = new Readiness(channel, SelectionKey.OP_READ);
        this.writable = new Readiness(channel, SelectionKey.OP_WRITE);
        this.reader = new FrameReader(channel, maxFrameLength, this.readable, new BeforeReadWaits());
        this.writer = new FrameWriter(channel, maxFrameLength, this.writable);
    }

    @Override
    public void send(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body) throws IOException {
        this.writer.append(type, flags, correlationId, body);
        this.writer.flush();
    }

    @Override
    public void sendBatched(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
            throws IOException {
        if (!this.channel.isOpen()) {
            throw new ClosedChannelException(); // a batch would never leave: say so now
        }
        long now = System.nanoTime();
        boolean idle = now - this.lastBatchedSendNanos > IDLE_NANOS;
        this.lastBatchedSendNanos = now;
        boolean firstInBatch = this.writer.append(type, flags, correlationId, body);
        if (this.writer.isBatchFull()) {
            this.writer.flush();
            this.lastSenderFlushNanos = now;
        }
        else if (firstInBatch && idle) {
            this.writer.flush();
        }
        else if (firstInBatch) {
            // a sender that writes its batches itself is streaming: let it, and have the flusher
            // write the tail a moment after the stream stops, instead of waking it for every batch
            boolean streaming = now - this.lastSenderFlushNanos < LINGER_NANOS;
            this.flushDueNanos = streaming ? now + LINGER_NANOS : now;
            if (!streaming || !this.flusherLingering) {
                wakeFlusher();
            }
        }
    }

    @Override
    public void flush() throws IOException {
        this.writer.flush();
    }

    @Override
    public void flushBeforeWaiting() throws IOException {
        long now = System.nanoTime();
        this.lastSenderFlushNanos = now;
        if (!this.writer.flushWithoutWaiting()) {
            this.flushDueNanos = now;
            wakeFlusher(); // the rest waits for room in the socket
        }
    }

    /**
     * A reader that is about to wait sends what is batched first: typically the request whose answer
     * it waits for. A reader thread must never block on writing (the peer may be blocked writing to
     * us), so it leaves the write to the flusher.
     */
    private void beforeReadWaits() throws IOException {
        if (this.writer.hasPending()) {
            if (this.readerThread) {
                wakeFlusher();
            }
            else {
                this.writer.flush();
            }
        }
    }

    /*
     * Classes rather than lambdas, here and for the flusher's task: every connection of a worker is
     * made on its way to "ready", and the first use of each lambda generates a class at run time.
     */
    private final class BeforeReadWaits implements FrameReader.IoAction {

        @Override
        public void run() throws IOException {
            beforeReadWaits();
        }
    }

    private final class FlushLoop implements Runnable {

        @Override
        public void run() {
            flushLoop();
        }
    }

    private void wakeFlusher() {
        Thread thread = this.flusher;
        if (thread == null) {
            thread = startFlusher();
        }
        LockSupport.unpark(thread);
    }

    private synchronized Thread startFlusher() {
        Thread thread = this.flusher;
        if (thread == null) {
            thread = new Thread(this.flushTask, "ipc-flusher");
            thread.setDaemon(true);
            this.flusher = thread;
            thread.start();
        }
        return thread;
    }

    private void flushLoop() {
        try {
            while (this.channel.isOpen()) {
                if (!this.writer.hasPending()) {
                    LockSupport.park(this);
                    continue;
                }
                long wait = this.flushDueNanos - System.nanoTime();
                if (wait > 0) {
                    this.flusherLingering = true;
                    LockSupport.parkNanos(this, wait);
                    this.flusherLingering = false;
                    continue; // whatever woke us, look again
                }
                this.writer.flush();
            }
        }
        catch (IOException | RuntimeException ex) {
            // the connection broke: whoever reads or sends next is told
        }
    }

    @Override
    public @Nullable Frame readFrame() throws IOException {
        this.readLock.lock();
        try {
            return this.reader.read();
        }
        finally {
            this.readLock.unlock();
        }
    }

    @Override
    public @Nullable Frame readFrame(Duration timeout) throws IOException {
        long nanos = Durations.cappedNanos(timeout);
        long deadline = System.nanoTime() + nanos;
        try {
            if (!this.readLock.tryLock(nanos, TimeUnit.NANOSECONDS)) {
                throw new SocketTimeoutException("another thread kept reading");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to read");
        }
        try {
            return this.reader.read(deadline);
        }
        finally {
            this.readLock.unlock();
        }
    }

    @Override
    public boolean hasBufferedFrame() {
        return this.reader.hasBufferedFrame();
    }

    @Override
    public void startReading(FrameHandler handler, String threadName) {
        this.readerThread = true;
        Thread thread = new Thread(() -> readLoop(handler), threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void readLoop(FrameHandler handler) {
        Throwable cause = null;
        this.readLock.lock();
        try {
            Frame frame;
            while ((frame = this.reader.read()) != null) {
                handler.onFrame(frame);
            }
        }
        catch (ClosedChannelException ex) {
            cause = this.closedLocally ? null : ex;
        }
        catch (Throwable ex) {
            cause = ex;
        }
        finally {
            this.readLock.unlock();
            close();
            handler.onClosed(cause);
        }
    }

    @Override
    public long bytesRead() {
        return this.reader.bytesRead();
    }

    @Override
    public long bytesWritten() {
        return this.writer.bytesWritten();
    }

    @Override
    public boolean isOpen() {
        return this.channel.isOpen();
    }

    /** Closes at once: frames still in the batch are dropped ({@link #flush()} first to send them). */
    @Override
    public void close() {
        this.closedLocally = true;
        try {
            this.channel.close();
        }
        catch (IOException ex) {
            // nothing left to release
        }
        this.readable.close();
        this.writable.close();
        Thread thread = this.flusher;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** The underlying channel; for tests that need to put raw bytes on the wire. */
    SocketChannel channel() {
        return this.channel;
    }
}
