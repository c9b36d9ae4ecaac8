package io.ipcworkers.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcException;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.channel.Durations;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameHandler;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageHeaders;
import io.ipcworkers.codec.MessageIds;
import io.ipcworkers.launch.LaunchedChild;
import io.ipcworkers.worker.Heartbeat;
import org.jspecify.annotations.Nullable;

/**
 * One worker JVM of a pool, as the parent sees it. Every message it is given stays in its in-flight
 * queue until the worker acknowledges it (an ACK, or a request's REPLY or ERROR); the worker handles
 * messages one at a time in order, so the head of that queue is the message running now. When the
 * worker dies, the pool gets back whatever it had not acknowledged.
 */
final class PoolWorker implements ChildProcess, FrameHandler {

    private static final long EXIT_WAIT_MILLIS = 2000;

    /**
     * How long a worker whose connection ended may take to be seen exiting before it is taken for one
     * that kept running and killed. Generous: a JVM ending on a loaded machine took over 500 ms from its
     * socket's end to its reaping, and was reported as killed instead of with its own exit code. A
     * worker that exits is seen at once; only one that really kept running waits the whole time. Not for
     * a worker asked to exit, which has the stop timeout ({@link #closeToExitMillis}).
     */
    private static final long CLOSE_TO_EXIT_MILLIS = 2000;

    /** A caller's callback that held the reader longer than this restarts the supervision clocks. */
    private static final long CALLBACK_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final long NOT_ANSWERING = Long.MIN_VALUE;

    private final WorkerPool pool;

    private final int slot;

    private final LaunchedChild child;

    private final MessageCodec codec;

    private final WaitEstimates waits;

    private final SerialExecutor inbound;

    private final BooleanSupplier inboundHasRoom;

    /** Unacknowledged messages, and what the worker may say about them. */
    private final InFlightQueue inFlight;

    /** Keeps queue order equal to wire order among senders; never taken by the reader thread. */
    private final ReentrantLock sendOrder = new ReentrantLock();

    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private final CompletableFuture<Integer> exit;

    private final AtomicLong handled = new AtomicLong();

    private final AtomicBoolean retiring = new AtomicBoolean();

    private final AtomicBoolean recycling = new AtomicBoolean();

    /** Until then ({@code System.nanoTime}) recycling leaves this worker alone: a replacement failed to start. */
    private volatile long recycleNotBeforeNanos = System.nanoTime();

    /** A sender reading this worker's connection while it waits for room ({@link #readForRoom}). */
    private volatile @Nullable Thread readingForRoom;

    /** Messages in flight plus places reserved by callers about to send: exact, so the limit holds. */
    private final AtomicInteger load = new AtomicInteger();

    private final long startedNanos = System.nanoTime();

    private final long recycleAfter;

    private volatile long lastSeenNanos = System.nanoTime();

    private volatile long heapUsed;

    /** The most heap the worker's JVM may take, as its READY frame said; -1 when it did not say. */
    private volatile long maxHeap = -1;

    /** Counted down once the pool has recorded the worker's exit: its slot, its messages, the events. */
    private final CountDownLatch exitRecorded = new CountDownLatch(1);

    /** The thread that reads the worker's frames, and records its exit; known from READY on. */
    private volatile @Nullable Thread reader;

    private volatile long residentBytes;

    private volatile Set<String> topics = Set.of();

    private volatile @Nullable String killReason;

    private volatile boolean closed;

    /** How the worker ended, once its pool has been told; set under the pool's lifecycle lock. */
    private volatile LaunchedChild.@Nullable ExitReport gone;

    /**
     * A write to the worker failed: its connection is gone, though its reader may not have seen the
     * end yet. Routing must not pick it meanwhile, or a send retried on another worker lands on it again.
     */
    private volatile boolean writeFailed;

    /**
     * Whether this worker was asked to exit (a SHUTDOWN sent, or its stdin closed): its connection then
     * ends while its JVM still exits (its shutdown hooks, a class data archive written at exit), and
     * whoever asked kills it at the stop timeout, not its reader at once.
     */
    private volatile boolean askedToExit;

    /** Since when a parent listener's answer to this worker is being written; {@link #NOT_ANSWERING} when none is. */
    private volatile long answeringSinceNanos = NOT_ANSWERING;

    /** Parent listeners' answers to this worker not sent because it had exited; read and written on its inbound queue. */
    private int answersLost;

    /** Whether a signal the worker told of waits for its pool to act on it; one at a time, however many it tells. */
    private final AtomicBoolean signalPending = new AtomicBoolean();

    /** Whether this worker's reader thread is running callbacks a caller attached to a reply. */
    private volatile boolean inCallerCallback;

    PoolWorker(WorkerPool pool, int slot, LaunchedChild child, MessageCodec codec, Executor listenerExecutor,
            long recycleAfter) {
        this.pool = pool;
        this.slot = slot;
        this.child = child;
        this.codec = codec;
        this.waits = pool.waitEstimates();
        this.inFlight = new InFlightQueue(this.waits);
        this.inbound = new SerialExecutor(listenerExecutor, SerialExecutor.DEFAULT_CAPACITY,
                SerialExecutor.DEFAULT_BYTE_CAPACITY, () -> child.connection().isOpen() && child.process().isAlive(), this::readingResumed);
        this.inboundHasRoom = this.inbound::hasRoom;
        this.recycleAfter = recycleAfter;
        this.exit = child.process().onExit().thenApply(Process::exitValue);
    }

    void startReading() {
        this.child.connection().startReading(this, "ipc-reader-" + this.child.name());
    }

    /** Waits for the worker's READY frame; fails with why it never came. */
    void awaitReady(Duration timeout) {
        try {
            this.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (java.util.concurrent.TimeoutException ex) {
            this.child.kill();
            throw new IpcTimeoutException(this.child.describe() + " did not become ready within " + timeout
                    + " (raise start-timeout for slow-starting workers)");
        }
        catch (java.util.concurrent.ExecutionException ex) {
            this.child.kill();
            throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
                    : new IpcException("Worker failed to start", ex.getCause());
        }
        catch (InterruptedException ex) {
            // the pools are closing: a worker nobody waits for any more must not outlive them
            this.child.kill();
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while starting " + this.child.describe(), ex);
        }
    }

    // --- sending

    /** Reserves room for one more message if fewer than {@code max} are in flight or reserved. */
    boolean tryReserve(int max) {
        while (true) {
            int current = this.load.get();
            if (current >= max) {
                return false;
            }
            if (this.load.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** The pool this worker belongs to. */
    WorkerPool owner() {
        return this.pool;
    }

    /** Gives back a reservation that was not used. */
    void release() {
        this.load.decrementAndGet();
        this.pool.capacityFreed();
    }

    /** Delivers without a prior reservation: messages to a specific worker, which routing cannot move. */
    void deliverUnreserved(InFlight message) {
        this.load.incrementAndGet();
        try {
            deliver(message);
        }
        catch (RuntimeException ex) {
            release();
            throw ex;
        }
    }

    /**
     * Hands a message to the worker, on a reservation the caller holds, and keeps it until acknowledged.
     * If the worker's exit has taken the message from the in-flight queue before the write failed, it
     * returns normally: the exit settles the message (fails, redelivers or dead-letters it), and trying
     * it on another worker as well would deliver it twice.
     * @throws io.ipcworkers.ProcessExitedException when the worker is gone; the message is not kept
     *     and the caller still holds its reservation
     */
    void deliver(InFlight message) {
        boolean request = message.isRequest();
        FrameType type = request ? FrameType.REQUEST : FrameType.MESSAGE;
        FrameWriter.BodyWriter body = request ? requestBody(message) : this.codec.encode(message.message, message.headers);
        this.sendOrder.lock();
        try {
            message.deliveries++; // before it is in the queue, where the worker's exit may read it
            boolean head = this.inFlight.add(message);
            int flags = (request ? Frame.FLAG_DEADLINE : 0) | ((message.deliveries > 1) ? Frame.FLAG_REDELIVERED : 0)
                    | ((message.headers != null) ? Frame.FLAG_HEADERS : 0);
            this.child.connection().sendBatched(type, flags, message.id, body);
            if (head) {
                startedRunning(message);
            }
        }
        catch (IOException | RuntimeException ex) {
            if (ex instanceof IOException) {
                // as onWriteFailed, which is not told when the connection was closed under this write
                this.writeFailed = true;
            }
            boolean kept = this.inFlight.remove(message);
            if (!kept && ex instanceof IOException) {
                return;
            }
            message.deliveries--;
            if (ex instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw this.child.exitedException("before message '" + message.topic() + "' could be sent", EXIT_WAIT_MILLIS);
        }
        finally {
            this.sendOrder.unlock();
        }
    }

    /**
     * A message sent to an idle worker runs from when it is written, not from when the send began: the
     * payload is serialized in between, and a type's first serialization can take tens of milliseconds,
     * which routing would otherwise read as a listener running long.
     */
    private void startedRunning(InFlight message) {
        long now = System.nanoTime();
        this.inFlight.written(message, now);
        this.waits.started(now);
    }

    /**
     * A request's body ends with its caller's deadline, on the clock the worker reads, a millisecond
     * late rather than early: the caller times out first, and then the worker does not run it.
     */
    private FrameWriter.BodyWriter requestBody(InFlight request) {
        long remainingMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(request.deadlineNanos - System.nanoTime()));
        return this.codec.encodeRequest(request.message, System.currentTimeMillis() + remainingMillis + 1, request.headers);
    }

    /**
     * Sends a parent listener's return value back; a reply is not acknowledged or tracked. Called on
     * the thread that runs this worker's messages through the parent's listeners, so while it waits
     * for the worker to read, none of the worker's messages is handled (see {@link #isStalled}).
     * @param headers for the worker's observer ({@link io.ipcworkers.codec.MessageHeaders}, encoded); null for none
     */
    void sendReply(Message reply, byte @Nullable [] headers) {
        this.answeringSinceNanos = System.nanoTime();
        try {
            this.child.connection().sendBatched(FrameType.MESSAGE, Frame.FLAG_REPLY | ((headers != null) ? Frame.FLAG_HEADERS : 0),
                    0, this.codec.encode(reply, headers));
        }
        catch (IOException ex) {
            throw this.child.exitedException("before the reply '" + reply.topic() + "' could be sent", EXIT_WAIT_MILLIS);
        }
        finally {
            this.answeringSinceNanos = NOT_ANSWERING;
        }
    }

    /**
     * Counts a parent listener's answer (its return value, or a message it sent) that could not be sent
     * because this worker has exited; called on the thread that runs its messages through those listeners.
     * @return how many were lost so far, this one included
     */
    int answerLost() {
        return ++this.answersLost;
    }

    /**
     * Whether this worker and the parent wait for each other, for longer than {@code timeout}: the
     * parent holds back the worker's messages (its listeners' queue for it is full), and the thread
     * that would empty that queue waits to write an answer to the worker (a listener's return value,
     * or a message the listener sends it), which is not reading: a worker reads only between listener
     * calls, and one still sending waits for the parent to read.
     */
    boolean isStalled(Duration timeout) {
        long since = this.answeringSinceNanos;
        return since != NOT_ANSWERING && this.inbound.isHoldingBack() && System.nanoTime() - since > timeout.toNanos();
    }

    /** Writes what is batched for this worker if the socket takes it at once; the caller is about to wait. */
    void flushBeforeWaiting() {
        try {
            this.child.connection().flushBeforeWaiting();
        }
        catch (IOException ex) {
            // the worker is gone: its reader reports that, and settles what it had not acknowledged
        }
    }

    /**
     * Asks the worker to give back messages queued behind the one it runs, the last ones first, so
     * that idle workers can take them ({@link Rebalancer}): of those it may give (not its head, not
     * pinned to it, not answered), a share as if they were spread over it and {@code idleWorkers}
     * others, or all of them when it is leaving the pool. At most one revocation is outstanding.
     * @return how many messages it was asked for
     */
    int revokeQueued(int idleWorkers) {
        return revoke(() -> this.inFlight.queuedShare(idleWorkers, this.retiring.get()), false);
    }

    /**
     * Sends one {@code REVOKE} of the ids {@code choice} picks (under the in-flight queue's monitor),
     * unless the worker is closed or a revocation is outstanding, in which case {@code askAgainWhenAnswered}
     * has {@link #withdrawAbandoned} run once that one is answered.
     * @return how many messages it asked for
     */
    private int revoke(Supplier<long[]> choice, boolean askAgainWhenAnswered) {
        long[] ids;
        this.sendOrder.lock(); // so that every message listed is on the wire before the REVOKE
        try {
            if (this.closed) {
                return 0;
            }
            ids = this.inFlight.startRevoking(choice, askAgainWhenAnswered);
            if (ids.length == 0) {
                return 0;
            }
            // batched: a worker whose socket is full would otherwise hold this thread until it reads
            this.child.connection().sendBatched(FrameType.REVOKE, 0, 0,
                    FrameWriter.BodyWriter.of(MessageIds.encode(ids)));
            return ids.length;
        }
        catch (IOException ex) {
            return 0; // gone: its exit settles its messages, the listed ones included
        }
        finally {
            this.sendOrder.unlock();
        }
    }

    boolean isRevoking() {
        return this.inFlight.isRevoking();
    }

    /** Whether this worker holds the message, unacknowledged. */
    boolean holds(InFlight message) {
        return this.inFlight.contains(message);
    }

    /**
     * Asks the worker not to run the requests in its queue whose callers have their answer already
     * (cancelled, or past their timeout): it gives back those it has read ahead and not started, and
     * they are dropped ({@link #revoked}); the others it runs, or skips when past their deadline, as
     * before. With a revocation outstanding, it asks once that is answered. Not on a reader thread: it
     * may wait for this worker's send order.
     */
    void withdrawAbandoned() {
        revoke(this.inFlight::answeredIds, true);
    }

    /**
     * Asks the worker to interrupt the listener of this request if it is running it, or not to start
     * it: its caller cancelled it with {@code cancel(true)}, or it timed out in a pool set to interrupt
     * those. Not answered; the listener's own answer, when it returns, frees the request's place. Not
     * on a reader thread, as {@link #withdrawAbandoned}.
     */
    void interrupt(InFlight request) {
        this.sendOrder.lock(); // the request is on the wire before the INTERRUPT that names it
        try {
            if (this.closed || !holds(request)) {
                return; // answered meanwhile, or gone
            }
            this.child.connection().sendBatched(FrameType.INTERRUPT, 0, 0,
                    FrameWriter.BodyWriter.of(MessageIds.encode(new long[] { request.id })));
        }
        catch (IOException ex) {
            // gone: its exit settles its messages
        }
        finally {
            this.sendOrder.unlock();
        }
    }

    /** Asks the worker to finish what it was given and exit. */
    void shutdown() {
        this.askedToExit = true;
        try {
            this.child.connection().send(FrameType.SHUTDOWN, 0, 0, FrameWriter.BodyWriter.EMPTY);
        }
        catch (IOException ex) {
            // already gone
        }
    }

    // --- receiving

    /**
     * Lets a caller that waits for this worker's answer read for it on its own thread, while this
     * worker's reader thread is not reading (see {@code Connection.readUntil}). It reads only while
     * the parent's listeners have room for this worker's messages: handing them one would otherwise
     * block the caller, and waiting for room is the reader thread's job.
     */
    void readWhileWaiting(BooleanSupplier answered, long deadlineNanos) {
        if (!this.closed && this.child.connection().readUntil(answered, deadlineNanos, this.inboundHasRoom)
                && !this.inFlight.isEmpty()) {
            this.child.connection().resumeReader(); // someone else waits for this worker: don't let them linger
        }
    }

    /**
     * Lets a sender that waits for room in the pool read this worker's connection on its own thread,
     * as a caller waiting for an answer does, until {@code roomOrChange} says so: the acknowledgement
     * that frees room then wakes the sender itself. The reader thread is left to look within a
     * millisecond afterwards: the sender is back soon, and wakes it needlessly otherwise.
     * @return whether it read; false when another thread reads this worker, or when the parent's
     *     listeners have no room for its messages (reading on would mean waiting for them)
     */
    boolean readForRoom(BooleanSupplier roomOrChange, long deadlineNanos) {
        if (this.closed || !this.inboundHasRoom.getAsBoolean()) {
            return false;
        }
        this.readingForRoom = Thread.currentThread();
        try {
            return this.child.connection().readUntil(roomOrChange, deadlineNanos, this.inboundHasRoom);
        }
        finally {
            this.readingForRoom = null;
        }
    }

    /** Ends a sender's {@link #readForRoom} on this worker: room came, or the pool changed, elsewhere. */
    void wakeSenderReadingForRoom() {
        Thread sender = this.readingForRoom;
        if (sender != null && sender != Thread.currentThread()) {
            wakeReadingCaller();
        }
    }

    /** Ends the wait of a caller reading in {@link #readWhileWaiting} whose answer came another way. */
    void wakeReadingCaller() {
        this.child.connection().wakeReadingCaller();
    }

    @Override
    public void onFrame(Frame frame) {
        this.lastSeenNanos = System.nanoTime();
        switch (frame.type()) {
            case READY -> ready(frame.body());
            case HEARTBEAT -> {
                long[] beat = Heartbeat.decode(frame.body());
                this.heapUsed = beat[0];
                this.residentBytes = beat[1];
            }
            case MESSAGE -> {
                byte[] body = frame.body();
                Map<String, String> headers = Map.of();
                int end = body.length;
                if (frame.hasFlag(Frame.FLAG_HEADERS)) {
                    MessageHeaders.Read read = MessageHeaders.read(body, end); // bounded and checked: the worker is not trusted
                    headers = read.headers();
                    end = read.messageEnd();
                }
                Message message = this.codec.decode(body, end);
                this.pool.listener().messageReceived(this.pool.name(),
                        this.pool.inbound().reportedTopic(message.topic(), this.pool.name()));
                boolean isReply = frame.hasFlag(Frame.FLAG_REPLY);
                Map<String, String> sentWith = headers;
                this.inbound.execute(() -> this.pool.inbound().handle(this, message, isReply, sentWith), body.length);
            }
            case ACK -> acknowledgedThrough(frame.correlationId());
            case REVOKED -> revoked(frame.body());
            case LEAVE -> leaveAsked(frame.body());
            case REPLY -> acknowledged(frame.correlationId(), this.codec.decode(frame.body()), null);
            case ERROR -> acknowledged(frame.correlationId(), null, errorOf(this.codec.decode(frame.body())));
            default -> throw new IpcProtocolException("unexpected " + frame.type() + " frame");
        }
    }

    /** Once per worker; a method of its own, so that the frame switch stays small for the JIT to inline. */
    private void ready(byte[] body) {
        ReadyFrame announced = ReadyFrame.read(this.codec, body);
        if (this.ready.isDone()) {
            throw new IpcProtocolException("a second READY frame");
        }
        this.topics = announced.topics();
        this.maxHeap = announced.maxHeap();
        this.reader = Thread.currentThread();
        this.ready.complete(null);
    }

    /**
     * A signal asked the worker to stop ({@link FrameType#LEAVE}); the pool decides what comes of it. One at a
     * time: those told while the pool has yet to look at one change nothing, so a worker cannot flood the
     * pool with them, and one told after (its replacement failed to start, say) is looked at again.
     */
    private void leaveAsked(byte[] body) {
        if (body.length == 0 || body.length > 8) {
            throw new IpcProtocolException("malformed LEAVE frame of " + body.length + " bytes");
        }
        for (byte b : body) {
            if (b < 'A' || b > 'Z') {
                throw new IpcProtocolException("malformed LEAVE frame: not a signal's name");
            }
        }
        if (this.signalPending.compareAndSet(false, true)) {
            this.pool.signalled(this, "SIG" + new String(body, StandardCharsets.US_ASCII));
        }
    }

    /** The pool has looked at the signal the worker told of; the next one it tells is looked at anew. */
    void signalSeen() {
        this.signalPending.set(false);
    }

    /**
     * What an ERROR frame says. Read before its message leaves the in-flight queue: one the worker
     * made up fails here, and the message is settled with the worker, which is killed for it.
     */
    private static ErrorReply errorOf(Message error) {
        ErrorReply reply = error.payloadAs(ErrorReply.class);
        return (reply != null) ? reply : new ErrorReply(null, null, null);
    }

    private void acknowledged(long id, @Nullable Message reply, @Nullable ErrorReply error) {
        InFlight message = this.inFlight.answered(id);
        this.handled.incrementAndGet();
        if (this.load.decrementAndGet() == 0) {
            this.pool.rebalancer().workerIdle();
        }
        IpcException failure = (error != null) ? error.toException(message.topic(), describeLowercase()) : null;
        if (message.reply != null && failure != null) {
            answer(message.reply, null, failure);
        }
        else if (message.reply != null) {
            answer(message.reply, (reply != null) ? reply : Message.of(message.topic(), null), null);
        }
        else if (failure != null) {
            sendFailed(message, failure);
        }
        this.pool.capacityFreed();
    }

    /**
     * A send whose listener threw (or whose payload did not convert, or which the worker says it has
     * no listener for after all) is a dead letter, handed over in order with the worker's messages to
     * the parent's listeners, so that no reading thread runs the dead-letter listener itself.
     */
    private void sendFailed(InFlight message, IpcException failure) {
        this.inbound.execute(() -> this.pool.deadLetter(message, failure.getMessage()));
    }

    /**
     * Completes a caller's future, which runs the callbacks the caller attached to it on this reader
     * thread. One that blocks stops the reading of this worker meanwhile: its silence and its head's
     * run time are then ours, not the worker's, so supervision does not judge it.
     */
    private void answer(CompletableFuture<Message> future, @Nullable Message reply, @Nullable RuntimeException failure) {
        this.inCallerCallback = true;
        try {
            if (failure != null) {
                future.completeExceptionally(failure);
            }
            else {
                future.complete(reply);
            }
        }
        finally {
            this.inCallerCallback = false;
            long now = System.nanoTime();
            if (now - this.lastSeenNanos > CALLBACK_PAUSE_NANOS) {
                readingResumed();
            }
        }
    }

    /** An ACK: cumulative, see {@link InFlightQueue#acknowledgedThrough}. */
    private void acknowledgedThrough(long id) {
        int count = this.inFlight.acknowledgedThrough(id);
        this.handled.addAndGet(count);
        if (this.load.addAndGet(-count) == 0) {
            this.pool.rebalancer().workerIdle(); // a look only where messages take 1 ms or more: not a quick stream's
        }
        this.pool.capacityFreed();
    }

    /**
     * The worker gave back messages it was asked to: they leave its queue for another worker, or for
     * good when their caller no longer waits ({@link #withdrawAbandoned}). Each must be one asked for
     * and still in the queue, or the worker is lying, and is killed for it.
     */
    private void revoked(byte[] body) {
        InFlightQueue.GivenBack givenBack = this.inFlight.givenBack(body);
        if (givenBack.askAgain()) {
            try {
                this.pool.executor().execute(this::withdrawAbandoned); // this reader thread must not take the send order
            }
            catch (RejectedExecutionException ex) {
                // the pools are closed: the worker is stopping with them
            }
        }
        passOn(givenBack.messages());
    }

    /**
     * Drops the given-back messages whose callers have their answer (they never run) and hands the
     * others to the rebalancer for another worker.
     */
    private void passOn(List<InFlight> givenBack) {
        List<InFlight> toMove = new ArrayList<>(givenBack.size());
        int dropped = 0;
        for (InFlight message : givenBack) {
            if (message.isAnswered()) {
                dropped++; // its caller cancelled it or stopped waiting: it never runs
            }
            else {
                message.deliveries--; // it never ran here
                toMove.add(message);
            }
        }
        if (dropped > 0) {
            this.load.addAndGet(-dropped);
            this.pool.capacityFreed();
        }
        if (!toMove.isEmpty()) {
            this.pool.rebalancer().move(this, toMove); // each stays in this worker's count until it is with another
        }
    }

    /**
     * Usually the worker died: its exit follows at once, and its reader reads its last answers and
     * then the end. A worker that lives on with its end of the connection broken could never take
     * work again and may not end the stream: it is killed, and replaced like a crashed one.
     */
    @Override
    public void onWriteFailed(IOException failure) {
        this.writeFailed = true;
        try {
            this.pool.executor().execute(() -> {
                awaitExit(closeToExitMillis());
                if (!this.closed && this.child.process().isAlive()) {
                    kill("could not be written to (" + failure.getMessage() + ") but kept running");
                }
            });
        }
        catch (RejectedExecutionException ex) {
            // the pools are closed, and their closing stops every worker
        }
    }

    @Override
    public void onClosed(@Nullable Throwable cause) {
        this.closed = true;
        // a dying process closes its socket a moment before it is reaped; one that dies with messages
        // it has not read yet resets it instead ("Connection reset"): neither is the worker's doing
        boolean peerGone = cause == null || cause instanceof IOException; // protocol violations are IpcExceptions
        if (peerGone && this.killReason == null) {
            awaitExit(closeToExitMillis());
        }
        if (this.child.process().isAlive()) {
            // a worker without its connection can do nothing useful: protocol violation, or it closed the socket
            if (this.killReason == null) {
                this.killReason = (cause == null) ? "closed its connection but kept running"
                        : peerGone ? "lost its connection (" + cause.getMessage() + ") but kept running"
                        : "broke the protocol: " + cause.getMessage();
            }
            this.child.kill();
        }
        LaunchedChild.ExitReport report = this.child.exitReport(EXIT_WAIT_MILLIS);
        this.ready.completeExceptionally(this.child.exitedException("before it was ready", report));
        this.pool.workerGone(this, report, this.inFlight.drain());
    }

    // --- supervision

    /** Kills the worker; its unacknowledged messages go back to the pool with the reason attached. */
    void kill(String reason) {
        this.killReason = reason;
        this.child.kill();
    }

    /**
     * Kills the worker for the message it runs, which fails with {@code failure} rather than going to
     * another worker; not when that message has been answered since it was judged, so that the one
     * after it, just begun, is not failed in its place.
     * @return whether the worker was killed
     */
    boolean killForRunning(InFlight running, String reason, RuntimeException failure) {
        if (!this.inFlight.failHead(running, failure)) {
            return false;
        }
        kill(reason);
        return true;
    }

    /**
     * Whether this side has stopped reading the worker: because the parent's listeners are behind on
     * its messages, or because its reader thread runs a caller's callback. Its heartbeats and
     * acknowledgements then wait unread: it is not to be judged.
     */
    boolean isHeldBack() {
        return this.inbound.isHoldingBack() || this.inCallerCallback;
    }

    /** Reading goes on after being held back: the worker's silence and its head's run time were ours. */
    private void readingResumed() {
        long now = System.nanoTime();
        this.lastSeenNanos = now;
        this.inFlight.restartHeadClock(now);
    }

    /** The message running now and for how long, or null when idle. */
    @Nullable InFlight running() {
        return this.inFlight.head();
    }

    /**
     * Adds this worker's unanswered requests whose deadline has passed to {@code due}.
     * @return nanoseconds until the earliest deadline still ahead, or {@link Long#MAX_VALUE} if none
     */
    long collectDueRequests(long now, List<InFlight> due) {
        return this.inFlight.collectDueRequests(now, due);
    }

    /** How long a message sent now to this worker, with {@code load} in flight, would wait, as least-busy routing estimates it. */
    double estimatedWait(int load, long nowNanos) {
        return this.waits.estimate(load, this.inFlight.headSinceNanos(), nowNanos);
    }

    /** Whether the message this worker is on has run long past the pool's typical time. */
    boolean isRunningLong() {
        return this.load.get() > 0 && this.waits.runsLong(this.inFlight.headSinceNanos());
    }

    /** How long the message this worker is on has run at {@code nowNanos}, as far as the parent can tell. */
    long headRunningNanos(long nowNanos) {
        return nowNanos - this.inFlight.headSinceNanos();
    }

    Duration runningFor() {
        return Duration.ofNanos(System.nanoTime() - this.inFlight.headSinceNanos());
    }

    Duration silentFor() {
        return Duration.ofNanos(System.nanoTime() - this.lastSeenNanos);
    }

    /** Whether this worker should be replaced by recycling. */
    @Nullable String recycleReason(PoolSettings.Recycling recycling) {
        if (this.recycleAfter > 0 && this.handled.get() >= this.recycleAfter) {
            return "handled " + this.handled.get() + " messages";
        }
        if (recycling.maxHeapBytes() > 0 && this.heapUsed > recycling.maxHeapBytes()) {
            return "heap use of " + this.heapUsed + " bytes passed " + recycling.maxHeapBytes();
        }
        if (recycling.maxRssBytes() > 0 && this.residentBytes > recycling.maxRssBytes()) {
            return "resident memory of " + this.residentBytes + " bytes passed " + recycling.maxRssBytes();
        }
        return null;
    }

    /** Claims this worker for recycling; true for the first caller only. It keeps working until retired. */
    boolean startRecycling() {
        return this.recycling.compareAndSet(false, true);
    }

    /** Whether recycling may try to replace this worker now: not too soon after a replacement failed to start. */
    boolean mayRecycleNow() {
        return System.nanoTime() - this.recycleNotBeforeNanos >= 0;
    }

    /** Its replacement could not start: it keeps working, and recycling tries again after {@code retryIn}. */
    void abortRecycling(Duration retryIn) {
        this.recycleNotBeforeNanos = System.nanoTime() + retryIn.toNanos();
        this.recycling.set(false);
    }

    /** Marks the worker as leaving: it gets no new work and is not replaced when it exits. */
    void retire() {
        this.retiring.set(true);
    }

    boolean isRetiring() {
        return this.retiring.get();
    }

    @Nullable String killReason() {
        return this.killReason;
    }

    // --- state

    String pool() {
        return this.pool.name();
    }

    int slot() {
        return this.slot;
    }

    /** Messages in flight and reserved. */
    int inFlight() {
        return this.load.get();
    }

    long handledCount() {
        return this.handled.get();
    }

    long maxHeap() {
        return this.maxHeap;
    }

    long heapUsed() {
        return this.heapUsed;
    }

    long residentBytes() {
        return this.residentBytes;
    }

    Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - this.startedNanos);
    }

    boolean isReady() {
        return this.ready.isDone() && !this.ready.isCompletedExceptionally();
    }

    boolean isUsable() {
        return !this.closed && !this.writeFailed && !this.retiring.get() && isReady();
    }

    boolean isClosed() {
        return this.closed;
    }

    /** Notes that the pool has been told of the worker's exit; called under the pool's lifecycle lock. */
    void markGone(LaunchedChild.ExitReport report) {
        this.gone = report;
    }

    /** The pool has done all it does when the worker is gone. */
    void exitRecorded() {
        this.exitRecorded.countDown();
    }

    /**
     * Waits until the pool has recorded the worker's exit, or the deadline ({@link System#nanoTime()});
     * at once on the worker's own reader, which records it (a parent listener that stops the pool).
     */
    void awaitExitRecorded(long deadline) throws InterruptedException {
        if (Thread.currentThread() != this.reader) {
            this.exitRecorded.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** How the worker ended, once its pool has been told; null while it runs. */
    LaunchedChild.@Nullable ExitReport gone() {
        return this.gone;
    }

    boolean listensTo(String topic) {
        return this.topics.contains(topic);
    }

    Set<String> topics() {
        return this.topics;
    }

    LaunchedChild launched() {
        return this.child;
    }

    String describeLowercase() {
        String description = this.child.describe();
        return Character.toLowerCase(description.charAt(0)) + description.substring(1);
    }

    /** How long a worker whose connection ended may take to exit before it is killed for living on. */
    private long closeToExitMillis() {
        return this.askedToExit ? TimeUnit.NANOSECONDS.toMillis(Durations.cappedNanos(this.pool.settings().stopTimeout()))
                : CLOSE_TO_EXIT_MILLIS;
    }

    private void awaitExit(long millis) {
        try {
            this.child.process().waitFor(millis, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the process: closes its stdin (it exits at once), then SIGKILL after the grace period. */
    void stopProcess(Duration grace) {
        this.askedToExit = true;
        this.child.closeStdin();
        try {
            if (!this.child.process().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                this.child.kill();
                this.child.process().waitFor(2, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            this.child.kill();
        }
    }

    // --- ChildProcess: what parent listeners see as the sender

    @Override
    public long getId() {
        return this.child.pid();
    }

    /**
     * Sends a message to this worker, as the pool's sends do.
     * @throws NoListenerException for a topic this worker has no listener for (nothing is sent)
     */
    @Override
    public void sendMessage(Message message) {
        if (!listensTo(message.topic())) {
            throw this.pool.noListener(message.topic(), this);
        }
        if (!this.inbound.isRunningOnCurrentThread()) {
            this.pool.sendTo(this, message);
            return;
        }
        // a parent listener of this worker's messages: while it waits to write, as while it answers, none
        // of the worker's messages is handled (see isStalled)
        this.answeringSinceNanos = System.nanoTime();
        try {
            this.pool.sendTo(this, message);
        }
        finally {
            this.answeringSinceNanos = NOT_ANSWERING;
        }
    }

    @Override
    public Message getNextMessage() {
        throw new UnsupportedOperationException("Messages from pool workers go to @IpcListener methods");
    }

    @Override
    public Message getNextMessage(Duration timeout) {
        throw new UnsupportedOperationException("Messages from pool workers go to @IpcListener methods");
    }

    @Override
    public boolean isAlive() {
        return this.child.process().isAlive();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return this.exit.copy();
    }

    @Override
    public void terminate() {
        this.child.terminate();
    }

    @Override
    public void kill() {
        kill("killed on request");
    }

    @Override
    public String toString() {
        return this.child.describe();
    }
}
