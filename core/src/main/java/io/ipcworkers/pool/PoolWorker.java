package io.ipcworkers.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcException;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameHandler;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageHeaders;
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

    /** A caller's callback that held the reader longer than this restarts the supervision clocks. */
    private static final long CALLBACK_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final WorkerPool pool;

    private final int slot;

    private final LaunchedChild child;

    private final MessageCodec codec;

    private final WaitEstimates waits;

    private final SerialExecutor inbound;

    private final BooleanSupplier inboundHasRoom;

    private final ListenerAnswers answers;

    /** Unacknowledged messages, and what the worker may say about them. */
    private final InFlightQueue inFlight;

    /** Keeps queue order equal to wire order among senders; never taken by the reader thread. */
    private final ReentrantLock sendOrder = new ReentrantLock();

    private final MessageRecall recall;

    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private final CompletableFuture<Integer> exitCode;

    private final WorkerEnd end;

    private final AtomicLong handled = new AtomicLong();

    private final AtomicBoolean retiring = new AtomicBoolean();

    /** A sender reading this worker's connection while it waits for room ({@link #readForRoom}). */
    private volatile @Nullable Thread readingForRoom;

    /** Messages in flight plus places reserved by callers about to send: exact, so the limit holds. */
    private final AtomicInteger load = new AtomicInteger();

    private final long startedNanos = System.nanoTime();

    private final WorkerRecycling recycling;

    private volatile long lastSeenNanos = System.nanoTime();

    private volatile long heapUsed;

    /** The most heap the worker's JVM may take, as its READY frame said; -1 when it did not say. */
    private volatile long maxHeap = -1;

    /** The thread that reads the worker's frames, and records its exit; known from READY on. */
    private volatile @Nullable Thread reader;

    private volatile long residentBytes;

    private volatile Set<String> topics = Set.of();

    private volatile boolean closed;

    /**
     * A write to the worker failed: its connection is gone, though its reader may not have seen the
     * end yet. Routing must not pick it meanwhile, or a send retried on another worker lands on it again.
     */
    private volatile boolean writeFailed;

    /** Whether a signal the worker told of waits for its pool to act on it; one at a time, however many it tells. */
    private final AtomicBoolean signalPending = new AtomicBoolean();

    /** Whether this worker's reader thread is running callbacks a caller attached to a reply. */
    private volatile boolean inCallerCallback;

    PoolWorker(WorkerPool pool, int slot, LaunchedChild child, MessageCodec codec, Executor listenerExecutor,
            WorkerRecycling recycling) {
        this.pool = pool;
        this.slot = slot;
        this.child = child;
        this.codec = codec;
        this.waits = pool.waitEstimates();
        this.inFlight = new InFlightQueue(this.waits);
        this.recall = new MessageRecall(this, this.inFlight, this.sendOrder);
        this.inbound = new SerialExecutor(listenerExecutor, SerialExecutor.DEFAULT_CAPACITY,
                SerialExecutor.DEFAULT_BYTE_CAPACITY, () -> child.connection().isOpen() && child.process().isAlive(), this::readingResumed);
        this.inboundHasRoom = this.inbound::hasRoom;
        this.answers = new ListenerAnswers(child, codec, this.inbound);
        this.recycling = recycling;
        this.exitCode = child.process().onExit().thenApply(Process::exitValue);
        this.end = new WorkerEnd(child, pool.settings().stopTimeout());
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
            if (head) {
                this.child.connection().sendBatched(type, flags, message.id, body);
                startedRunning(message);
            }
            else {
                // the worker has earlier messages to handle first: this one can wait for the next batch
                this.child.connection().sendToBusyPeer(type, flags, message.id, body);
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
            throw this.child.exitedException("before message '" + message.topic() + "' could be sent",
                    WorkerEnd.EXIT_WAIT_MILLIS);
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

    /** What the parent's listeners send this worker in answer to its messages. */
    ListenerAnswers answers() {
        return this.answers;
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

    /** Asks this worker to give back, or not to run, messages it holds. */
    MessageRecall recall() {
        return this.recall;
    }

    /** Whether this worker holds the message, unacknowledged. */
    boolean holds(InFlight message) {
        return this.inFlight.contains(message);
    }

    /** Asks the worker to finish what it was given and exit. */
    void shutdown() {
        this.end.asked();
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
            this.pool.replacement().signalled(this, "SIG" + new String(body, StandardCharsets.US_ASCII));
        }
    }

    /** A method of its own, as READY's: a field read here would make the frame switch larger. */
    private void revoked(byte[] body) {
        this.recall.givenBack(body);
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

    /** Counts messages given back to it that are dropped, their callers having their answer: their places are free. */
    void dropped(int count) {
        this.load.addAndGet(-count);
        this.pool.capacityFreed();
    }

    /** The worker's exit follows at once, usually; one that lives on is killed ({@link WorkerEnd#killIfItLivesOn}). */
    @Override
    public void onWriteFailed(IOException failure) {
        this.writeFailed = true;
        try {
            this.pool.executor().execute(() -> this.end.killIfItLivesOn(failure, this::isClosed));
        }
        catch (RejectedExecutionException ex) {
            // the pools are closed, and their closing stops every worker
        }
    }

    @Override
    public void onClosed(@Nullable Throwable cause) {
        this.closed = true;
        LaunchedChild.ExitReport report = this.end.connectionEnded(cause);
        this.ready.completeExceptionally(this.child.exitedException("before it was ready", report));
        this.pool.workerGone(this, report, this.inFlight.drain());
    }

    // --- supervision

    /** Kills the worker; its unacknowledged messages go back to the pool with the reason attached. */
    void kill(String reason) {
        this.end.kill(reason);
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

    /** Why this worker is due to be replaced by recycling, or null while it is not. */
    @Nullable String recycleReason() {
        return this.recycling.dueReason(this.handled.get(), this.heapUsed, this.residentBytes);
    }

    /** Whether this worker is due for recycling, and whether it is being replaced. */
    WorkerRecycling recycling() {
        return this.recycling;
    }

    /** Marks the worker as leaving: it gets no new work and is not replaced when it exits. */
    void retire() {
        this.retiring.set(true);
    }

    boolean isRetiring() {
        return this.retiring.get();
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

    /** Stops the process: closes its stdin (it exits at once), then SIGKILL after the grace period. */
    void stopProcess(Duration grace) {
        this.end.stopProcess(grace);
    }

    /** How the worker's process ends, and when its pool has recorded its end. */
    WorkerEnd end() {
        return this.end;
    }

    /**
     * Waits until the pool has recorded the worker's exit, or the deadline ({@link System#nanoTime()});
     * at once on the worker's own reader, which records it (a parent listener that stops the pool).
     */
    void awaitExitRecorded(long deadline) throws InterruptedException {
        this.end.awaitRecorded(deadline, this.reader);
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
        // from a parent listener of this worker's messages: while it waits to write, as while it answers,
        // none of the worker's messages is handled (see ListenerAnswers.isStalled)
        boolean answering = this.answers.sending();
        try {
            this.pool.sendTo(this, message);
        }
        finally {
            if (answering) {
                this.answers.sent();
            }
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
        return this.exitCode.copy();
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
