package io.ipcworkers.channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Connection} over a connected {@link SocketChannel} (a Unix domain socket here), used in
 * non-blocking mode so that reads can wait with a deadline.
 *
 * <p>Writing: {@link #send} writes before it returns; {@link #sendBatched} adds the frame to a batch
 * that goes out in one system call with the frames that follow it. A batched send on an idle
 * connection (no batch begun or written for a few microseconds) is written at once (nothing to batch
 * it with, and someone may be waiting for it); on a busy one the batch is flushed by this
 * connection's flusher thread once it has waited 50 µs for the frames that follow, by the sender once
 * the batch is large, or by a reader of this connection that is about to wait. Only a send that
 * begins a batch reads the clock. A sender that streams (fills whole batches itself, or writes its
 * batch before it waits for room to send more) is left to it: the flusher then writes the last,
 * partial batch at most a millisecond after the stream stops, rather than being woken for every
 * batch. {@link #sendToBusyPeer} is for a frame the peer will come to only after others (a pool
 * worker's next message while it has some to handle): batched as on a busy connection, however long
 * this one was idle. {@link #sendLingering} is for a sender that has more to do before it waits (a worker
 * answering a backlog of requests): its batch is never written at once, but within 50 µs.
 *
 * <p>Reading: either pulled on the caller's thread ({@link #readFrame()}), which is what a single
 * consumer wants (no hand-off between threads per message), or pushed to a {@link FrameHandler} by a
 * reader thread ({@link #startReading}), which steps aside for a caller that waits for an answer and
 * reads for it on its own thread ({@link #readUntil}). Reads take whole blocks; a wait wakes on data.
 */
public final class SocketConnection implements Connection {

    /**
     * A send that begins a batch this long after the connection was last busy (a batch begun or
     * written) finds it idle and is written at once.
     */
    private static final long IDLE_NANOS = TimeUnit.MICROSECONDS.toNanos(5);

    /** How long the tail of a stream of sends may wait for more before the flusher writes it. */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * How long a batch begun on a busy connection, or by {@link #sendLingering}, may wait for the frames
     * that follow before the flusher writes it: a worker answering a backlog of quick requests writes
     * its replies a few dozen at a time, and a sender that outpaces the socket a few hundred frames,
     * while a frame that ends a burst is late by no more than this. Written as soon as the flusher is
     * woken, the batches of such a sender held a few frames each: every write woke the peer's reader,
     * and on two cores the threads of both JVMs then took turns with the sender, which slowed it and
     * shrank the batches further (benchmarks/README.md, item 58).
     */
    private static final long LINGERING_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    /**
     * While callers read for their answers, the reader thread leaves the socket to them, looking at
     * it this often rather than waking for every answer they read.
     */
    private static final long CALLERS_READ_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final SocketChannel channel;

    private final Readiness readable;

    private final Readiness writable;

    private final FrameReader reader;

    private final FrameWriter writer;

    /** One thread reads at a time: a puller, the reader thread, or a caller reading for its answer. */
    private final ReentrantLock readLock = new ReentrantLock();

    /** What the reader thread waits on between frames, without the read lock; made on first use. */
    private final Readiness idleReadable;

    /** Set once a reader thread was started: callers waiting for an answer may read for it. */
    private volatile @Nullable FrameHandler handler;

    /** What broke reading while a caller read; the reader thread reports it. Guarded by the read lock. */
    private @Nullable Throwable readFailure;

    /** Frames read ahead ({@link #readAhead}), for the next reads; guarded by the read lock, made on first use. */
    private @Nullable ArrayDeque<Frame> ahead;

    /** Body bytes of the frames read ahead; guarded by the read lock. */
    private long aheadBytes;

    /** Set once reading ahead failed: the thread that reads meets the failure itself. */
    private volatile boolean aheadFailed;

    /** Whether another whole frame was at hand when the last {@code readFrame} returned; the reading thread's. */
    private boolean frameAtHand;

    private volatile @Nullable Thread flusher;

    /** Made with the connection: a class defined mid-stream would discard compilations under way. */
    private final Runnable flushTask = new FlushLoop();

    private volatile @Nullable Thread readerThread;

    /** When a caller last read for its answer ({@link #readUntil}). */
    private volatile long lastCallerReadNanos = System.nanoTime() - CALLERS_READ_NANOS;

    /** When a batch was last begun or written: what tells a stream of sends from an idle connection. */
    private volatile long lastBusyNanos = System.nanoTime() - IDLE_NANOS;

    /** How long the tail of a stream may wait: {@link #LINGER_NANOS}, longer in tests. */
    private final long streamTailNanos;

    /** When a sender last wrote its batch itself: a full one, or before it waited for room. */
    private volatile long lastSenderFlushNanos;

    /** When the flusher should write the pending batch. */
    private volatile long flushDueNanos;

    private volatile boolean flusherLingering;

    /** When a lingering flusher wakes by itself: set before {@link #flusherLingering}. */
    private volatile long flusherWakesAtNanos;

    private volatile boolean closedLocally;

    private final AtomicBoolean writeFailureReported = new AtomicBoolean();

    private final WriteStalls writeStalls;

    public SocketConnection(SocketChannel channel, int maxFrameLength) throws IOException {
        this(channel, maxFrameLength, WriteStalls.DEFAULT_WARNING_NANOS);
    }

    /** With how long a write may wait for the peer to read before it is logged; for tests. */
    SocketConnection(SocketChannel channel, int maxFrameLength, long writeStallWarningNanos) throws IOException {
        this(channel, maxFrameLength, writeStallWarningNanos, LINGER_NANOS);
    }

    /** With how long the tail of a stream may wait for the flusher; for tests. */
    SocketConnection(SocketChannel channel, int maxFrameLength, long writeStallWarningNanos, long streamTailNanos)
            throws IOException {
        channel.configureBlocking(false);
        this.streamTailNanos = streamTailNanos;
        this.lastSenderFlushNanos = System.nanoTime() - streamTailNanos;
        this.writeStalls = new WriteStalls(writeStallWarningNanos);
        this.channel = channel;
        this.readable = new Readiness(channel, SelectionKey.OP_READ);
        this.idleReadable = new Readiness(channel, SelectionKey.OP_READ);
        this.writable = new Readiness(channel, SelectionKey.OP_WRITE);
        this.reader = new FrameReader(channel, maxFrameLength, this.readable, new BeforeReadWaits());
        this.writer = new FrameWriter(channel, maxFrameLength, this.writable, new WriteFailures(),
                this.writeStalls);
    }

    @Override
    public void describePeer(String description) {
        this.writeStalls.describePeer(description);
    }

    /**
     * The largest frame accepted from the peer from now on. For a handshake, whose first frame is
     * small and comes from a peer not yet known: called before the connection is shared.
     */
    public void limitIncomingFrames(int maxFrameLength) {
        this.reader.setMaxFrameLength(maxFrameLength);
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
        boolean firstInBatch = this.writer.append(type, flags, correlationId, body);
        if (this.writer.isBatchFull()) {
            writeFullBatch();
        }
        else if (firstInBatch) {
            // the clock is read here only, not for every frame: a frame that joins a batch needs no time
            long now = System.nanoTime();
            boolean idle = now - this.lastBusyNanos > IDLE_NANOS;
            // busy from before the write, not from its end as the flusher's writes are marked: a write that
            // wakes a waiting peer often returns only once the peer has run (on two cores, half of a round
            // trip's writes took over 15 µs of its 27), and marked from there, a sender's next request, sent
            // a few microseconds after reading the answer, waited for the flusher (benchmarks/README.md, item 61)
            this.lastBusyNanos = now;
            if (idle) {
                this.writer.flush();
                return;
            }
            batchBegunWhileBusy(now);
        }
    }

    /** As {@link #sendBatched} on a busy connection, whatever the time since it was last busy. */
    @Override
    public void sendToBusyPeer(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
            throws IOException {
        batchWithoutWriting(type, flags, correlationId, body, false);
    }

    /**
     * A sender that writes its batches itself is streaming: it is left to it, and the flusher writes the
     * tail a moment after the stream stops instead of being woken for every batch. Any other batch begun
     * on a busy connection waits a moment for the frames that follow.
     */
    private void batchBegunWhileBusy(long now) {
        if (now - this.lastSenderFlushNanos < this.streamTailNanos) {
            flushBy(now + this.streamTailNanos);
            return;
        }
        this.flushDueNanos = now + LINGERING_NANOS;
        wakeFlusher();
    }

    /**
     * Has the flusher write the batch by {@code due}: woken unless it lingers and wakes by then anyway. A
     * flusher lingering on for the tail of an earlier stream may wake later than a new batch is due.
     */
    private void flushBy(long due) {
        this.flushDueNanos = due;
        if (!this.flusherLingering || this.flusherWakesAtNanos - due > 0) {
            wakeFlusher();
        }
    }

    /**
     * Unlike {@link #sendBatched}, never written at once: the batch waits up to {@link #LINGERING_NANOS}
     * for the frames that follow (a sender that is full or about to wait writes it sooner).
     */
    @Override
    public void sendLingering(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
            throws IOException {
        batchWithoutWriting(type, flags, correlationId, body, true);
    }

    /**
     * Adds a frame to the batch without writing it unless the batch is full; one that begins a batch has
     * the flusher write it as a busy connection's ({@link #batchBegunWhileBusy}) or, {@code lingering}, within
     * {@link #LINGERING_NANOS} whether or not the sender streams. Its first lines are {@code sendBatched}'s,
     * repeated rather than shared: a helper around the append would add a call to every send of the one-way
     * path of {@code ChildProcess}, whose compiled shape benchmarks/README.md items 21–28 measured (the full
     * batch's branch, taken once per 64 KiB, and a busy batch's, once per batch, are shared).
     */
    private void batchWithoutWriting(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body,
            boolean lingering) throws IOException {
        if (!this.channel.isOpen()) {
            throw new ClosedChannelException();
        }
        boolean firstInBatch = this.writer.append(type, flags, correlationId, body);
        if (this.writer.isBatchFull()) {
            writeFullBatch();
        }
        else if (firstInBatch) {
            long now = System.nanoTime();
            this.lastBusyNanos = now;
            if (!lingering) {
                batchBegunWhileBusy(now);
            }
            else {
                flushBy(now + LINGERING_NANOS);
            }
        }
    }

    /** A sender whose batch is full writes it itself: the socket's pace then limits it, and it streams. */
    private void writeFullBatch() throws IOException {
        this.writer.flush();
        long now = System.nanoTime();
        this.lastSenderFlushNanos = now;
        this.lastBusyNanos = now;
    }

    @Override
    public void flush() throws IOException {
        this.writer.flush();
    }

    @Override
    public void flushBeforeWaiting() throws IOException {
        long now = System.nanoTime();
        this.lastSenderFlushNanos = now;
        this.lastBusyNanos = now;
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
            if (this.readerThread != null) {
                wakeFlusher();
            }
            else {
                this.writer.flush();
            }
        }
    }

    /*
     * Classes rather than lambdas, here, for write failures and for the flusher's task: every
     * connection of a worker is made on its way to "ready", and the first use of each lambda generates
     * a class at run time.
     */
    private final class BeforeReadWaits implements FrameReader.IoAction {

        @Override
        public void run() throws IOException {
            beforeReadWaits();
        }
    }

    private final class WriteFailures implements FrameWriter.WriteFailureListener {

        @Override
        public void writeFailed(IOException failure) {
            SocketConnection.this.writeFailed(failure);
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
                long due = this.flushDueNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    this.flusherWakesAtNanos = due;
                    this.flusherLingering = true;
                    LockSupport.parkNanos(this, wait);
                    this.flusherLingering = false;
                    continue; // whatever woke us, look again
                }
                this.writer.flush();
                this.lastBusyNanos = System.nanoTime();
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
            Frame ahead = takeAhead();
            return noteWhatIsAtHand((ahead != null) ? ahead : this.reader.read());
        }
        finally {
            this.readLock.unlock();
        }
    }

    @Override
    public boolean readFrame(FrameSlot slot) throws IOException {
        this.readLock.lock();
        try {
            Frame ahead = takeAhead();
            boolean read = true;
            if (ahead != null) {
                slot.hold(ahead);
            }
            else {
                read = this.reader.readInto(slot);
            }
            noteWhatIsAtHand(null);
            return read;
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
            Frame ahead = takeAhead();
            return noteWhatIsAtHand((ahead != null) ? ahead : this.reader.read(deadline));
        }
        finally {
            this.readLock.unlock();
        }
    }

    /**
     * As it was when the last {@code readFrame} returned, for the thread that reads: the reader's
     * buffer may be another thread's now ({@link #readAhead}), and is not looked at without the lock.
     */
    @Override
    public boolean hasBufferedFrame() {
        return this.frameAtHand;
    }

    /** Under the read lock, as a read returns. */
    private @Nullable Frame noteWhatIsAtHand(@Nullable Frame frame) {
        ArrayDeque<Frame> frames = this.ahead;
        this.frameAtHand = (frames != null && !frames.isEmpty()) || this.reader.hasBufferedFrame();
        return frame;
    }

    /** Frames read ahead and not yet read; for tests. */
    int framesAhead() {
        this.readLock.lock();
        try {
            ArrayDeque<Frame> frames = this.ahead;
            return (frames != null) ? frames.size() : 0;
        }
        finally {
            this.readLock.unlock();
        }
    }

    /** The oldest frame read ahead, if any; under the read lock. */
    private @Nullable Frame takeAhead() {
        ArrayDeque<Frame> frames = this.ahead;
        Frame frame = (frames != null) ? frames.poll() : null;
        if (frame != null) {
            this.aheadBytes -= frame.body().length;
        }
        return frame;
    }

    @Override
    public boolean readAhead(int maxBytes, long budgetNanos) {
        if (this.aheadFailed || !this.readLock.tryLock()) {
            return false;
        }
        try {
            ArrayDeque<Frame> frames = this.ahead;
            if (frames == null) {
                frames = new ArrayDeque<>();
                this.ahead = frames;
            }
            long deadline = System.nanoTime() + budgetNanos;
            while (this.aheadBytes < maxBytes) {
                Frame frame = this.reader.readAvailable();
                if (frame == FrameReader.NOT_YET && this.reader.isMidFrame() && deadline - System.nanoTime() > 0) {
                    frame = this.reader.readOrNotYet(deadline); // the peer is writing it: take the rest as it comes
                }
                if (frame == FrameReader.NOT_YET || frame == null) {
                    break; // nothing more now, or the end of the stream, which the next read meets again
                }
                frames.add(frame);
                this.aheadBytes += frame.body().length;
            }
            return true;
        }
        catch (IOException | RuntimeException ex) {
            this.aheadFailed = true; // what was buffered stays: the next read goes on from there and meets it
            return false;
        }
        finally {
            this.readLock.unlock();
        }
    }

    @Override
    public boolean editAhead(Consumer<Deque<Frame>> edit) {
        if (!this.readLock.tryLock()) {
            return false;
        }
        try {
            ArrayDeque<Frame> frames = this.ahead;
            if (frames == null || frames.isEmpty()) {
                return true;
            }
            edit.accept(frames);
            long bytes = 0;
            for (Frame frame : frames) {
                bytes += frame.body().length;
            }
            this.aheadBytes = bytes;
            // the frame noted at hand may be one taken out; the reading thread may see that only at its
            // next read, and then waits for a frame it thought it had, which delays nothing but its
            // acknowledgements until the heartbeat thread's next look
            noteWhatIsAtHand(null);
            return true;
        }
        finally {
            this.readLock.unlock();
        }
    }

    @Override
    public void startReading(FrameHandler handler, String threadName) {
        this.handler = handler;
        Thread thread = new Thread(() -> readLoop(handler), threadName);
        thread.setDaemon(true);
        this.readerThread = thread;
        thread.start();
    }

    /**
     * The reader thread holds the read lock only while it handles what has arrived, and waits for
     * more without it, so that a caller waiting for an answer can read meanwhile ({@link #readUntil}).
     * While callers do, it would only wake with them for every answer and then wait for the read lock
     * (two more wake-ups on two busy cores): it looks every millisecond instead, or when woken.
     */
    private void readLoop(FrameHandler handler) {
        Throwable cause = null;
        try {
            while (handleAvailable(handler)) {
                beforeReadWaits();
                awaitFrames();
            }
        }
        catch (ClosedChannelException ex) {
            cause = this.closedLocally ? null : ex;
        }
        catch (Throwable ex) {
            cause = ex;
        }
        finally {
            close();
            handler.onClosed(cause);
            releaseBuffersAfterReading();
        }
    }

    /**
     * Once the reader thread is done: callers do not read a closed connection, and one that is reading
     * now holds the read lock until it stops, so nothing reads the buffers after this. A worker's handle
     * may be kept long after it exited (a reply's future, a listener's sender).
     */
    private void releaseBuffersAfterReading() {
        this.readLock.lock();
        try {
            releaseBuffers();
        }
        finally {
            this.readLock.unlock();
        }
    }

    /**
     * Waits for something to read. While callers read, it looks without taking the read lock, and
     * only reads what came while none of them did: taking the lock under a caller's nose would make
     * it wait for this thread, which is what callers read to avoid.
     */
    private void awaitFrames() throws IOException {
        while (System.nanoTime() - this.lastCallerReadNanos < CALLERS_READ_NANOS) {
            LockSupport.parkNanos(this, CALLERS_READ_NANOS);
            if (!this.channel.isOpen() || (!this.readLock.isLocked() && this.idleReadable.isReadyNow())) {
                return;
            }
        }
        this.idleReadable.await(Readiness.NONE);
    }

    /** Handles every frame that can be read without waiting; false at the end of the stream. */
    private boolean handleAvailable(FrameHandler handler) throws Throwable {
        this.readLock.lock();
        try {
            Throwable failure = this.readFailure;
            if (failure != null) {
                throw failure;
            }
            Frame frame;
            while ((frame = this.reader.readAvailable()) != FrameReader.NOT_YET) {
                if (frame == null) {
                    return false;
                }
                handler.onFrame(frame);
                failure = this.readFailure; // a callback of the handler's may have read on, and failed
                if (failure != null) {
                    throw failure;
                }
            }
            return true;
        }
        finally {
            this.readLock.unlock();
        }
    }

    /**
     * Reads on the caller's thread for a caller that waits for an answer, so that no second thread
     * has to read it and wake the caller: while no other thread reads, frames are handed to the
     * reader thread's handler, in wire order as ever, until {@code answered} says so, the deadline
     * passes, the caller is interrupted or {@code canRead} says no (checked before each frame; it
     * lets the handler refuse work it could only take by blocking). A failure of the stream or of
     * the handler goes to the reader thread, which reports it as its own. Whoever makes
     * {@code answered} true from another thread must call {@link #wakeReadingCaller()}.
     */
    @Override
    public boolean readUntil(BooleanSupplier answered, long deadlineNanos, BooleanSupplier canRead) {
        FrameHandler handler = this.handler;
        if (handler == null) {
            return false;
        }
        if (!this.readLock.tryLock()) {
            resumeReader(); // the caller will wait for the reader thread: it must not linger
            return false;
        }
        try {
            if (this.readFailure != null || !this.channel.isOpen()) {
                return false;
            }
            this.lastCallerReadNanos = System.nanoTime();
            while (!answered.getAsBoolean() && canRead.getAsBoolean() && deadlineNanos - System.nanoTime() > 0
                    && this.readFailure == null) {
                Frame frame = this.reader.readOrNotYet(deadlineNanos);
                if (frame == FrameReader.NOT_YET) {
                    continue; // the deadline, or woken because the answer came another way: look again
                }
                if (frame == null) {
                    return true; // end of stream: the reader thread sees it too, and reports it
                }
                handler.onFrame(frame);
            }
            while (this.readFailure == null && this.reader.hasBufferedFrame() && canRead.getAsBoolean()) {
                handler.onFrame(this.reader.read(deadlineNanos));
            }
            if (this.reader.hasBufferedFrame()) {
                wakeReaderThread(); // it wakes for data on the socket, not in our buffer
            }
            return true;
        }
        catch (InterruptedIOException ex) {
            return true; // a timeout, or interrupted: what came of a frame stays buffered for the next reader
        }
        catch (Throwable ex) {
            this.readFailure = ex;
            wakeReaderThread();
            return true;
        }
        finally {
            this.readLock.unlock();
        }
    }

    @Override
    public void resumeReader() {
        long now = System.nanoTime();
        if (now - this.lastCallerReadNanos < CALLERS_READ_NANOS) { // else it waits on the socket already
            this.lastCallerReadNanos = now - CALLERS_READ_NANOS;
            LockSupport.unpark(this.readerThread);
        }
    }

    /** Has the reader thread look now even if the socket has nothing new: a caller left it something. */
    private void wakeReaderThread() {
        this.lastCallerReadNanos = System.nanoTime() - CALLERS_READ_NANOS;
        this.idleReadable.wakeup();
        LockSupport.unpark(this.readerThread);
    }

    @Override
    public void wakeReadingCaller() {
        this.readable.wakeup();
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

    /**
     * Tells the handler, once, that the peer can no longer be written to. The connection stays open
     * for reading: what the peer sent before it went (its last answers and acknowledgements) is still
     * to be read, and the end of the stream follows when it is gone.
     */
    private void writeFailed(IOException failure) {
        FrameHandler current = this.handler;
        if (current != null && !this.closedLocally && !this.writeFailureReported.getAndSet(true)) {
            current.onWriteFailed(failure);
        }
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
        this.idleReadable.close();
        this.writable.close();
        Thread thread = this.flusher;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        thread = this.readerThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void releaseBuffers() {
        if (this.channel.isOpen()) {
            throw new IllegalStateException("The connection is still open");
        }
        this.reader.release();
        this.writer.release();
    }

    /** When the flusher is to write the pending batch ({@link System#nanoTime()}); for tests. */
    long flushDueNanos() {
        return this.flushDueNanos;
    }

    /** Whether the flusher waits for a batch's due time; for tests. */
    boolean flusherLingering() {
        return this.flusherLingering;
    }

    /** The underlying channel; for tests that need to put raw bytes on the wire. */
    SocketChannel channel() {
        return this.channel;
    }
}
