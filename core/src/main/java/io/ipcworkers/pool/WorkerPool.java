package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

import io.ipcworkers.DeadLetter;
import io.ipcworkers.IpcException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.Durations;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageHeaders;
import io.ipcworkers.launch.ChildLauncher;
import io.ipcworkers.launch.LaunchedChild;
import tools.jackson.core.type.TypeReference;
import org.jspecify.annotations.Nullable;

/**
 * A fixed number of listener worker JVMs behind one name. Routes messages to workers with room
 * (back-pressure: callers wait, boundedly, when every worker has {@code maxInFlight} unacknowledged
 * messages), replaces workers that crash (with backoff; too many crashes in a window mark the pool
 * down for a cool-down), recycles workers without a capacity dip, and stops gracefully.
 */
public final class WorkerPool {

    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /**
     * A running pool's dead letters that no listener takes, and its workers' messages a parent listener
     * failed on, are each logged one at a time at most once a period ({@link ThrottledWarnings}).
     */
    static final Duration WARNING_PERIOD = Duration.ofSeconds(10);

    /** Lifecycle states. */
    public enum State {
        NEW, STARTING, RUNNING, DOWN, STOPPING, STOPPED
    }

    private final PoolSettings settings;

    private final WorkerStarter starter;

    private final PoolShutdown shutdown;

    private final Broadcast broadcast;

    private final InboundDispatcher inbound;

    private final ScheduledExecutorService scheduler;

    private final Executor executor;

    private final AtomicReferenceArray<@Nullable PoolWorker> workers;

    private final Set<PoolWorker> retiring = ConcurrentHashMap.newKeySet();

    private final CrashRecovery recovery;

    private final ExitRecords exits;

    private final WorkerReplacement replacement;

    private final Unacknowledged unacknowledged = new Unacknowledged(this);

    private final Rebalancer rebalancer;

    private final ThrottledWarnings<String> deadLetterWarnings;

    private final ThrottledWarnings<InboundDispatcher.Failure> listenerFailureWarnings;

    private final WaitEstimates waits = new WaitEstimates();

    /**
     * Picks a worker with room; made with the pool, so that a sender's first wait for room defines no
     * class (which discards compiled code).
     */
    private final WorkerRouting routing;

    private final Function<String, PoolUnavailableException> noCapacity = this::noCapacity;

    private final RequestDeadlines deadlines;

    private final long requestTimeoutNanos;

    private final long acquireTimeoutNanos;

    private final AtomicLong ids = new AtomicLong();

    /** The topics the last worker to get ready announced: all of a pool's workers listen to the same. */
    private volatile @Nullable Set<String> announcedTopics;

    private final RoomWaiters room;

    private volatile State state = State.NEW;

    private volatile @Nullable String downReason;

    private volatile @Nullable ScheduledFuture<?> supervisor;

    /** Null when the pool has no handler timeout. */
    private final @Nullable HandlerTimeouts handlerTimeouts;

    private final PoolListener listener;

    /**
     * Held to change the pool's state and to put a worker in its slot, and by a worker's exit: so
     * that no state change comes between another's look at the state and its own (a stop and a
     * restart, say), and that a worker that died after it got ready, whose exit found the slot not
     * yet its own, is never put in place ({@link #place}).
     */
    private final Object lifecycle = new Object();

    public WorkerPool(PoolSettings settings, ChildLauncher launcher, MessageCodec codec, InboundDispatcher inbound,
            ScheduledExecutorService scheduler, Executor executor, PoolListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.inbound = inbound;
        this.scheduler = scheduler;
        this.deadlines = new RequestDeadlines(this, scheduler);
        this.handlerTimeouts = settings.supervision().hasHandlerTimeout()
                ? new HandlerTimeouts(this, scheduler, settings.supervision().handlerTimeout()) : null;
        this.deadLetterWarnings = new ThrottledWarnings<>(UnclaimedDeadLetters.throttledLines(settings.name()),
                WARNING_PERIOD, scheduler, System::nanoTime);
        this.listenerFailureWarnings = new ThrottledWarnings<>(InboundDispatcher.throttledLines(settings.name()),
                WARNING_PERIOD, scheduler, System::nanoTime);
        this.requestTimeoutNanos = Durations.cappedNanos(settings.requestTimeout());
        this.acquireTimeoutNanos = Durations.cappedNanos(settings.acquireTimeout());
        this.executor = executor;
        this.workers = new AtomicReferenceArray<>(settings.workers());
        this.room = new RoomWaiters(this, this.workers);
        this.routing = new WorkerRouting(this.workers, settings.routing(), settings.maxInFlight());
        this.recovery = new CrashRecovery(this);
        this.exits = new ExitRecords(this, this.unacknowledged, this.recovery, this.room);
        this.replacement = new WorkerReplacement(this);
        this.starter = new WorkerStarter(this, launcher, codec);
        this.shutdown = new PoolShutdown(this, this.room);
        this.broadcast = new Broadcast(this, this.room);
        this.rebalancer = new Rebalancer(this, settings.routing() == Routing.LEAST_BUSY && settings.workers() > 1);
    }

    public String name() {
        return this.settings.name();
    }

    public PoolSettings settings() {
        return this.settings;
    }

    public State state() {
        return this.state;
    }

    /** Why the pool is down; null unless it is. */
    public @Nullable String downReason() {
        return this.downReason;
    }

    InboundDispatcher inbound() {
        return this.inbound;
    }

    PoolListener listener() {
        return this.listener;
    }

    /** What least-busy routing estimates waits from; the workers' acknowledgements keep it up to date. */
    WaitEstimates waitEstimates() {
        return this.waits;
    }

    long acquireTimeoutNanos() {
        return this.acquireTimeoutNanos;
    }

    Executor executor() {
        return this.executor;
    }

    ScheduledExecutorService scheduler() {
        return this.scheduler;
    }

    RequestDeadlines deadlines() {
        return this.deadlines;
    }

    Rebalancer rebalancer() {
        return this.rebalancer;
    }

    Unacknowledged unacknowledged() {
        return this.unacknowledged;
    }

    // --- lifecycle

    /**
     * Starts every worker in parallel and waits until all are ready; a stopped pool starts again
     * with new workers. A worker that {@code SIGKILL} ends before it is ready is started again, up to
     * {@value WorkerStarter#START_ATTEMPTS} times in all, after the restart backoff.
     * @throws PoolStartException naming the worker that could not start and why (its stderr included),
     *     or saying that the pool was stopped meanwhile; workers that did start are stopped again
     * @throws IllegalStateException when the pool is starting, running, down or stopping
     */
    public void start() {
        synchronized (this.lifecycle) {
            if (this.state != State.NEW && this.state != State.STOPPED) {
                throw new IllegalStateException("Pool '" + name() + "' is " + this.state + " and cannot be started");
            }
            this.state = State.STARTING;
        }
        List<PoolWorker> goneAlready = placeAll(startAll());
        this.deadLetterWarnings.start();
        this.listenerFailureWarnings.start();
        long interval = this.settings.supervision().heartbeatInterval().toMillis();
        this.supervisor = this.scheduler.scheduleAtFixedRate(new PoolSupervisor(this), interval, interval,
                TimeUnit.MILLISECONDS);
        if (this.handlerTimeouts != null) {
            this.handlerTimeouts.start();
        }
        goneAlready.forEach((worker) -> this.recovery.crashed(worker, Objects.requireNonNull(worker.end().gone())));
    }

    /**
     * Starts a worker for every slot, in parallel, and waits until all are ready.
     * @throws PoolStartException when one could not start; the pool is then STOPPED, and the others are
     *     stopped as they get ready
     */
    private List<PoolWorker> startAll() {
        List<CompletableFuture<PoolWorker>> starting = new ArrayList<>();
        try {
            for (int slot = 0; slot < this.settings.workers(); slot++) {
                int index = slot;
                starting.add(CompletableFuture.supplyAsync(() -> this.starter.startFirst(index), this.executor));
            }
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        }
        catch (CompletionException | RejectedExecutionException ex) {
            synchronized (this.lifecycle) {
                this.state = State.STOPPED;
            }
            starting.forEach((future) -> future.thenAccept((worker) -> worker.stopProcess(Duration.ZERO)));
            throw new PoolStartException(name(), (ex instanceof CompletionException) ? ex.getCause()
                    : new IpcException("its pools were closed while it started", ex));
        }
        return starting.stream().map(CompletableFuture::join).toList();
    }

    /**
     * Puts the workers started for the pool's start in their slots, and the pool in RUNNING.
     * @return those that died once ready, while others were still starting: they take no slot
     * @throws PoolStartException when the pool was stopped meanwhile; the workers are stopped
     */
    private List<PoolWorker> placeAll(List<PoolWorker> started) {
        List<PoolWorker> goneAlready = new ArrayList<>();
        synchronized (this.lifecycle) {
            if (this.state == State.STARTING) {
                for (PoolWorker worker : started) {
                    if (worker.end().gone() != null) {
                        goneAlready.add(worker);
                    }
                    else {
                        this.workers.set(worker.slot(), worker);
                    }
                }
                this.state = State.RUNNING;
                return goneAlready;
            }
        }
        // stop() came, and found no worker in place to stop
        started.forEach((worker) -> worker.stopProcess(Duration.ZERO));
        throw new PoolStartException(name(), new IpcException("it was stopped while its workers started"));
    }

    /**
     * Puts a ready worker in its slot in place of {@code expected}.
     * @return false when the slot holds another worker
     * @throws IpcException when the worker has died since it got ready: it never takes the slot
     */
    boolean place(PoolWorker worker, @Nullable PoolWorker expected) {
        synchronized (this.lifecycle) {
            LaunchedChild.ExitReport gone = worker.end().gone();
            if (gone != null) {
                throw new IpcException(worker + " " + gone.state() + " before it took its place in the pool");
            }
            return this.workers.compareAndSet(worker.slot(), expected, worker);
        }
    }

    /** Waits while the pool is starting, until the time is up; false when it stopped meanwhile. */
    boolean awaitWhileStarting(Duration time) {
        long deadline = System.nanoTime() + Durations.cappedNanos(time);
        synchronized (this.lifecycle) {
            try {
                for (long left = deadline - System.nanoTime(); this.state == State.STARTING && left > 0;
                        left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(this.lifecycle, left);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IpcException("Interrupted while starting pool '" + name() + "'", ex);
            }
            return this.state == State.STARTING;
        }
    }

    /** Starts a worker for a slot and waits until it is ready; the caller puts it in place. */
    PoolWorker startWorker(int slot) {
        return this.starter.start(slot);
    }

    /** A worker got ready: all of a pool's workers listen to the topics it announced. */
    void topicsAnnounced(Set<String> topics) {
        this.announcedTopics = topics;
    }

    /**
     * Stops gracefully: refuses new work, waits up to the stop timeout for in-flight messages, asks
     * every worker to finish its queue and exit, and kills those still running. Messages that could
     * not finish fail their futures or become dead letters, never vanish.
     */
    public void stop() {
        synchronized (this.lifecycle) {
            if (this.state == State.STOPPED || this.state == State.NEW) {
                this.state = State.STOPPED;
                return;
            }
            this.state = State.STOPPING;
            this.lifecycle.notifyAll(); // a start waiting to start a killed worker again gives up
        }
        ScheduledFuture<?> task = this.supervisor;
        if (task != null) {
            task.cancel(false);
        }
        if (this.handlerTimeouts != null) {
            this.handlerTimeouts.stop();
        }
        this.room.changed();
        this.shutdown.endWorkers(System.nanoTime() + Durations.cappedNanos(this.settings.stopTimeout()));
        synchronized (this.lifecycle) {
            this.state = State.STOPPED;
        }
        this.deadLetterWarnings.stop();
        this.listenerFailureWarnings.stop();
    }

    /**
     * Brings the pool back now: clears a DOWN state and the crash history, and starts a worker for
     * every empty slot.
     * @throws IllegalStateException when the pool is neither DOWN nor RUNNING
     */
    public void restart() {
        if (!restart(false)) {
            throw new IllegalStateException("Pool '" + name() + "' is " + this.state + " and cannot be restarted");
        }
    }

    /** As {@link #restart()}; false, doing nothing, when the pool is not DOWN (or, unless only then, RUNNING). */
    private boolean restart(boolean onlyWhenDown) {
        boolean wasDown;
        synchronized (this.lifecycle) {
            if (this.state != State.DOWN && (onlyWhenDown || this.state != State.RUNNING)) {
                return false;
            }
            this.recovery.forgetCrashes();
            wasDown = this.state == State.DOWN;
            this.downReason = null;
            this.state = State.RUNNING;
        }
        if (wasDown) {
            this.listener.poolUp(name());
        }
        for (int slot = 0; slot < this.workers.length(); slot++) {
            if (this.workers.get(slot) == null) {
                int index = slot;
                this.executor.execute(() -> this.recovery.restartSlot(index));
            }
        }
        logger.log(Level.INFO, "Pool '" + name() + "' is running again");
        return true;
    }

    /**
     * Replaces every worker, one at a time, each replacement ready before the worker it replaces
     * stops taking work; in-flight messages finish on the old worker, so no request fails. Blocks
     * until done.
     * @throws IpcException when a replacement could not start, once every other worker was replaced;
     *     the workers it names keep working
     */
    public void rollingRestart() {
        this.replacement.rollingRestart();
    }

    // --- sending

    /**
     * Sends a message to one worker chosen by the pool's routing.
     * @throws NoListenerException for a topic the pool's workers have no listener for (nothing is sent)
     */
    public void send(String topic, @Nullable Object payload) {
        send(topic, payload, null);
    }

    /** {@link #send(String, Object)}, with headers for the worker ({@link io.ipcworkers.codec.MessageHeaders}); null for none. */
    void send(String topic, @Nullable Object payload, byte @Nullable [] headers) {
        Message message = Message.of(topic, payload);
        deliver(acquireListening(topic), new InFlight(this.ids.incrementAndGet(), message, headers));
    }

    /** Sends a request to one worker; the future completes with its listener's reply. */
    public <T> CompletableFuture<T> request(String topic, @Nullable Object payload, Class<T> replyType) {
        return request(topic, payload, replyType, null, this.settings.requestTimeout(), this.requestTimeoutNanos, null);
    }

    /**
     * Any of the public {@code request} methods, with headers for the worker
     * ({@link io.ipcworkers.codec.MessageHeaders}, encoded; null for none).
     * @param genericReplyType the reply's generic type, or null for {@code replyType}
     * @param ownTimeout the request's own timeout, or null for the pool's
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> request(String topic, @Nullable Object payload, @Nullable Class<T> replyType,
            @Nullable TypeReference<T> genericReplyType, @Nullable Duration ownTimeout, byte @Nullable [] headers) {
        Class<T> type = (genericReplyType != null) ? (Class<T>) Object.class : Objects.requireNonNull(replyType);
        if (ownTimeout == null) {
            return request(topic, payload, type, genericReplyType, this.settings.requestTimeout(),
                    this.requestTimeoutNanos, headers);
        }
        return request(topic, payload, type, genericReplyType, ownTimeout, ownTimeoutNanos(ownTimeout), headers);
    }

    /** Sends a request to one worker; the future completes with its listener's reply, of a generic type. */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> request(String topic, @Nullable Object payload, TypeReference<T> replyType) {
        return request(topic, payload, (Class<T>) Object.class, replyType, this.settings.requestTimeout(),
                this.requestTimeoutNanos, null);
    }

    /** As {@link #request(String, Object, Class)}, with a timeout of its own in place of the pool's. */
    public <T> CompletableFuture<T> request(String topic, @Nullable Object payload, Class<T> replyType, Duration timeout) {
        return request(topic, payload, replyType, null, timeout, ownTimeoutNanos(timeout), null);
    }

    /** As {@link #request(String, Object, TypeReference)}, with a timeout of its own in place of the pool's. */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> request(String topic, @Nullable Object payload, TypeReference<T> replyType,
            Duration timeout) {
        return request(topic, payload, (Class<T>) Object.class, replyType, timeout, ownTimeoutNanos(timeout), null);
    }

    private static long ownTimeoutNanos(Duration timeout) {
        return Durations.cappedNanos(Durations.requirePositive("A request's timeout",
                Objects.requireNonNull(timeout, "'timeout' must not be null")));
    }

    /**
     * The request's timeout counts from this call, so that it bounds the whole of it: a wait for room
     * ends at its deadline if that comes before the acquire timeout, and leaves the reply the rest.
     */
    private <T> CompletableFuture<T> request(String topic, @Nullable Object payload, Class<T> replyType,
            @Nullable TypeReference<T> genericReplyType, Duration timeout, long timeoutNanos, byte @Nullable [] headers) {
        long started = System.nanoTime();
        long deadline = started + timeoutNanos;
        Message message = Message.of(topic, payload);
        PoolWorker worker;
        try {
            worker = acquireListening(topic, deadline, timeout);
        }
        catch (NoListenerException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        CompletableFuture<Message> reply = new CompletableFuture<>();
        InFlight request = new InFlight(this.ids.incrementAndGet(), message, reply, deadline, timeout, headers);
        PoolWorker sentTo = deliver(worker, request);
        this.deadlines.watch(request);
        ReplyFuture<T> result = new ReplyFuture<>(this, sentTo, request, replyType, genericReplyType);
        reply.whenComplete((answer, failure) -> {
            try {
                // recorded before the caller sees the result
                this.listener.requestCompleted(name(), topic, System.nanoTime() - started, failure);
            }
            finally {
                result.settle(answer, failure);
            }
        });
        return result;
    }

    /**
     * A request's caller cancelled it: it has its answer, so the worker holding it is asked not to run
     * it if it has not started it ({@link MessageRecall#withdrawAbandoned}), and, with
     * {@code interrupt}, to interrupt its listener if it runs it ({@link MessageRecall#interrupt}). On the
     * pool's executor: the caller may be a reader thread (in a callback of another reply), which must
     * not wait for a worker's send order.
     */
    void cancelled(InFlight request, boolean interrupt) {
        Objects.requireNonNull(request.reply).cancel(false); // answered: not redelivered, moved nor run when given back
        try {
            this.executor.execute(() -> {
                PoolWorker holder = holderOf(request);
                if (holder != null) {
                    holder.recall().withdrawAbandoned();
                    if (interrupt) {
                        holder.recall().interrupt(request);
                    }
                }
            });
        }
        catch (RejectedExecutionException ex) {
            // the pools are closed: their workers stop
        }
    }

    /** The worker that holds the message unacknowledged, if any does. */
    @Nullable PoolWorker holderOf(InFlight message) {
        for (PoolWorker worker : allWorkers()) {
            if (worker.holds(message)) {
                return worker;
            }
        }
        return null;
    }

    /**
     * Sends a message to every usable worker with a listener for the topic; returns how many. Each
     * copy takes room on its worker like a send: workers with room get it at once, then the caller
     * waits, up to the acquire timeout, for room on the others. A worker that dies meanwhile is not
     * counted (its replacement starts afresh).
     * @throws NoListenerException for a topic the pool's workers have no listener for (nothing is sent)
     * @throws PoolUnavailableException when a worker stays full past the acquire timeout, saying how
     *     many workers the message reached
     */
    public int broadcast(String topic, @Nullable Object payload) {
        return broadcast(topic, payload, null);
    }

    /** {@link #broadcast(String, Object)}, with headers for the workers ({@link io.ipcworkers.codec.MessageHeaders}); null for none. */
    int broadcast(String topic, @Nullable Object payload, byte @Nullable [] headers) {
        return this.broadcast.send(topic, payload, headers);
    }

    /**
     * A message to one particular worker (a parent listener answering its sender), observed as a send
     * when the pools have an observer.
     */
    void sendTo(PoolWorker worker, Message message) {
        PoolObserver observer = this.inbound.observer();
        if (observer == null) {
            sendTo(worker, message, null);
            return;
        }
        observer.send(name(), message.topic(), false, (headers) -> {
            sendTo(worker, message, MessageHeaders.encode(headers));
            return 1;
        });
    }

    private void sendTo(PoolWorker worker, Message message, byte @Nullable [] headers) {
        worker.deliverUnreserved(InFlight.pinned(this.ids.incrementAndGet(), message, headers));
        this.listener.messageSent(name(), message.topic());
    }

    /** An id for a message that is not a plain send or request (those take theirs inline). */
    long nextId() {
        return this.ids.incrementAndGet();
    }

    /**
     * Hands a message to another worker after its first one died, waiting for room until the deadline
     * ({@link System#nanoTime()}); not when its caller has its answer already.
     */
    void redeliver(InFlight message, long deadline) {
        if (message.isAnswered()) {
            return;
        }
        PoolWorker worker = acquireForStillAwaited(message, deadline - System.nanoTime());
        if (worker != null) {
            deliver(worker, message);
            this.deadlines.watch(message);
        }
    }

    /**
     * Hands a message a worker gave back to the worker routing picks now ({@link Rebalancer}); not
     * counted as sent again.
     * @throws IpcException when no worker took it; the caller settles it
     */
    void move(InFlight message) {
        PoolWorker worker = acquireForStillAwaited(message, this.acquireTimeoutNanos);
        if (worker == null) {
            return;
        }
        try {
            worker.deliver(message);
        }
        catch (RuntimeException ex) {
            worker.release();
            throw ex;
        }
        this.deadlines.watch(message);
    }

    /**
     * A worker with room for a message handed on, or null when it timed out while it waited for one:
     * its caller has its answer already.
     */
    private @Nullable PoolWorker acquireForStillAwaited(InFlight message, long timeoutNanos) {
        PoolWorker worker = acquire(message.topic(), timeoutNanos, 0, null);
        if (message.isAnswered()) {
            worker.release();
            return null;
        }
        return worker;
    }

    /**
     * Delivers on the worker's reservation; if that worker died meanwhile, tries another one.
     * @return the worker that has the message
     */
    private PoolWorker deliver(PoolWorker worker, InFlight message) {
        for (int attempt = 1;; attempt++) {
            try {
                worker.deliver(message);
                this.listener.messageSent(name(), message.topic());
                return worker;
            }
            catch (ProcessExitedException ex) {
                worker.release();
                if (attempt == 3) {
                    throw ex;
                }
                worker = acquire(message.topic(), this.acquireTimeoutNanos, message.deadlineNanos, message.timeout);
            }
            catch (RuntimeException ex) {
                worker.release();
                throw ex;
            }
        }
    }

    // --- routing and back-pressure

    /** {@link #acquire}, for a topic the worker it gives listens to; its room is given back if not. */
    private PoolWorker acquireListening(String topic) {
        return listening(acquire(topic), topic);
    }

    /** {@link #acquireListening}, for a request: waiting for room no later than its deadline. */
    private PoolWorker acquireListening(String topic, long requestDeadline, @Nullable Duration requestTimeout) {
        return listening(acquire(topic, this.acquireTimeoutNanos, requestDeadline, requestTimeout), topic);
    }

    private PoolWorker listening(PoolWorker worker, String topic) {
        if (!worker.listensTo(topic)) {
            worker.release();
            throw noListener(topic, worker);
        }
        return worker;
    }

    /**
     * A usable worker with room for one more message, reserved for the caller. Waits up to the
     * acquire timeout while every worker is full or being replaced; at most {@code maxWaiting}
     * callers wait, more fail at once ({@link RoomWaiters}).
     * The worker's topics are not checked here ({@link #acquireListening} does).
     * @throws NoListenerException rather than waiting, for a topic the workers do not listen to (as
     *     announced by the last one to get ready, so also while every worker is being replaced)
     */
    private PoolWorker acquire(String topic) {
        return acquire(topic, this.acquireTimeoutNanos, 0, null); // a call level fewer on every send
    }

    /**
     * {@link #acquire(String)}, waiting at most {@code timeoutNanos} (the clock is read only if it must
     * wait), for a message that may be a request: a caller who gave it a timeout is not kept waiting for
     * room past it, so the wait ends at the request's deadline when that comes first. A plain send has no
     * timeout, and its deadline is not looked at.
     * @throws PoolUnavailableException naming the request's timeout when that ended the wait
     */
    private PoolWorker acquire(String topic, long timeoutNanos, long requestDeadline,
            @Nullable Duration requestTimeout) {
        requireAccepting(topic, null);
        PoolWorker worker = this.routing.get();
        if (worker != null) {
            return worker;
        }
        requireListener(topic); // not worth the wait for room
        long deadline = System.nanoTime() + timeoutNanos;
        if (requestTimeout == null || deadline - requestDeadline <= 0) {
            return this.room.await(topic, null, deadline, this.routing, this.noCapacity);
        }
        return this.room.await(topic, null, requestDeadline, this.routing,
                (timedOut) -> noCapacity(timedOut, "the request's timeout of " + requestTimeout));
    }

    private PoolUnavailableException noCapacity(String topic) {
        return noCapacity(topic, this.settings.acquireTimeout().toString());
    }

    /** @param waited how long the caller waited for room: the acquire timeout, or a request's timeout */
    private PoolUnavailableException noCapacity(String topic, String waited) {
        if (usableWorkers().isEmpty()) {
            return new PoolUnavailableException("Pool '" + name() + "' has no live worker for '" + topic
                    + "' after waiting " + waited + " (workers are being restarted; the log says why they exited)");
        }
        return new PoolUnavailableException("Pool '" + name() + "' is busy: every worker has "
                + this.settings.maxInFlight() + " messages in flight and none finished within "
                + waited + " ('" + topic + "' was not sent)");
    }

    /** @param reached for a broadcast, how many workers it reached so far (for errors); else null */
    void requireAccepting(String topic, @Nullable String reached) {
        State current = this.state;
        if (current == State.DOWN) {
            throw new PoolUnavailableException("Pool '" + name() + "' is down: " + this.downReason + "; "
                    + outcome(topic, reached));
        }
        if (current != State.RUNNING) {
            throw new PoolUnavailableException("Pool '" + name() + "' is " + current.name().toLowerCase() + "; "
                    + outcome(topic, reached));
        }
    }

    static String outcome(String topic, @Nullable String reached) {
        return (reached != null) ? reached : "'" + topic + "' was not sent";
    }

    /** Called whenever a worker has room again, or its state changed. Cheap when nobody waits. */
    void capacityFreed() {
        this.room.roomFreed();
    }

    /**
     * Counts a message given up for good and hands it to the parent's dead-letter listeners; logs it
     * when none took it, or counts it towards the period's summary line.
     */
    void deadLetter(InFlight message, String reason) {
        if (!handOverDeadLetter(message, reason)) {
            this.deadLetterWarnings.warn(message.topic(), reason);
        }
    }

    /** Dead letters no listener took that wait to be logged in the period's summary line; for tests. */
    int deadLettersHeldBack() {
        return this.deadLetterWarnings.heldBack();
    }

    /** Where the failures of parent listeners on this pool's messages are logged. */
    ThrottledWarnings<InboundDispatcher.Failure> listenerFailureWarnings() {
        return this.listenerFailureWarnings;
    }

    /** Counts a message given up for good and hands it over; false when no parent listener took it. */
    boolean handOverDeadLetter(InFlight message, String reason) {
        this.listener.deadLetter(name(), message.topic());
        return this.inbound.deadLetter(new DeadLetter(name(), message.topic(), message.message, message.deliveries,
                reason), this);
    }

    /** Refuses a topic the workers have no listener for, as the last one to get ready announced them. */
    void requireListener(String topic) {
        Set<String> topics = this.announcedTopics;
        if (topics != null && !topics.contains(topic)) {
            throw noListener(topic, topics);
        }
    }

    NoListenerException noListener(String topic, PoolWorker worker) {
        return noListener(topic, worker.topics());
    }

    private NoListenerException noListener(String topic, Set<String> topics) {
        return new NoListenerException("No listener for topic '" + topic + "' in pool '" + name()
                + "' (its workers listen to " + new TreeSet<>(topics) + ")");
    }

    // --- supervision

    /** Called on the worker's reader thread once it is gone, with what it had not acknowledged. */
    void workerGone(PoolWorker worker, LaunchedChild.ExitReport report, List<InFlight> unacknowledgedMessages) {
        this.exits.record(worker, report, unacknowledgedMessages);
    }

    /** What {@link #vacate} found: whether the worker still held its slot, and the pool's state then. */
    record Vacated(boolean heldSlot, State state) {
    }

    /**
     * Marks the worker gone and empties its slot if it still holds it, under the lifecycle lock: a worker
     * that died after it got ready is then never put in place ({@link #place}).
     */
    Vacated vacate(PoolWorker worker, LaunchedChild.ExitReport described) {
        synchronized (this.lifecycle) {
            worker.end().markGone(described);
            return new Vacated(this.workers.compareAndSet(worker.slot(), worker, null), this.state);
        }
    }

    /** Marks a running pool down; does nothing when it stopped or went down meanwhile. */
    void markDown(String reason, String stderr) {
        Duration coolDown = this.settings.supervision().coolDown();
        String why = reason + "; it retries in " + coolDown + " or on restart()";
        synchronized (this.lifecycle) {
            if (this.state != State.RUNNING) {
                return;
            }
            this.downReason = why;
            this.state = State.DOWN;
        }
        this.room.changed();
        this.listener.poolDown(name(), why);
        logger.log(Level.ERROR, "Pool '" + name() + "' is DOWN: " + why + stderr);
        // restarted or stopped meanwhile, it is left as it is
        scheduleOrDrop(() -> restart(true), coolDown, "its retry after the cool-down");
    }

    /**
     * Runs the task on the executor after the delay, unless the pools are closed: a crash noticed on a
     * worker's reader thread as they close finds the timers shut down, and there is nothing to restart
     * (nor a replaced worker to kill: their stop does that).
     */
    void scheduleOrDrop(Runnable task, Duration delay, String what) {
        try {
            this.scheduler.schedule(() -> this.executor.execute(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException ex) {
            logger.log(Level.DEBUG, "Pool '" + name() + "' drops " + what + ": its pools are closed");
        }
    }

    /** A slot has a new worker: callers waiting for room and the rebalancer look again. */
    void slotFilled() {
        this.room.changed();
        this.rebalancer.check();
    }

    /** Where the pool's supervisor hands the workers it finds due for recycling. */
    WorkerReplacement replacement() {
        return this.replacement;
    }

    /**
     * Replaces one worker gracefully: its replacement starts first, then it finishes its work and
     * exits. Blocks until the replacement is ready.
     * @return false when no current worker of this pool has that pid, or it is being replaced already
     * @throws IpcException when the replacement could not start; the worker keeps working
     */
    public boolean restartWorker(long pid) {
        for (PoolWorker worker : currentWorkers()) {
            if (worker.getId() == pid) {
                return this.replacement.replace(worker, "restart requested");
            }
        }
        return false;
    }

    // --- state

    /** The pool's state now: every slot's worker, its counters and memory. */
    public PoolSnapshot snapshot() {
        List<PoolSnapshot.WorkerSnapshot> slots = new ArrayList<>();
        for (int slot = 0; slot < this.workers.length(); slot++) {
            PoolWorker worker = this.workers.get(slot);
            LaunchedChild.ExitReport last = this.exits.lastOf(slot);
            Integer lastCode = (last != null) ? last.exitCode() : null;
            String lastCause = (last != null) ? last.state() : null;
            if (worker == null) {
                slots.add(new PoolSnapshot.WorkerSnapshot(name() + "-" + (slot + 1), null, emptySlotState(), 0, 0, 0,
                        null, 0, this.recovery.restartsOf(slot), lastCode, lastCause, 0, null, 0));
                continue;
            }
            String workerState = worker.isRetiring() ? "retiring" : worker.isReady() ? "running" : "starting";
            InFlight current = worker.running();
            slots.add(new PoolSnapshot.WorkerSnapshot(worker.launched().name(), worker.getId(), workerState,
                    worker.uptime().toMillis(), worker.handledCount(), worker.inFlight(),
                    (current != null) ? current.topic() : null, (current != null) ? worker.runningFor().toMillis() : 0,
                    this.recovery.restartsOf(slot), lastCode, lastCause, worker.heapUsed(),
                    (worker.maxHeap() > 0) ? worker.maxHeap() : null, worker.residentBytes()));
        }
        Set<String> topics = this.announcedTopics;
        return new PoolSnapshot(name(), this.state.name(), this.downReason, this.settings.workers(),
                usableWorkers().size(), inFlight(), this.room.waiting(), this.recovery.restarts(),
                this.replacement.replaced(), this.rebalancer.moved(), this.waits.typicalMillis(),
                (topics != null) ? List.copyOf(new TreeSet<>(topics)) : List.of(), slots);
    }

    /** What a slot without a worker waits for: its worker's start, a restart, or nothing once stopped. */
    private String emptySlotState() {
        return switch (this.state) {
            case NEW, STARTING -> "starting";
            case RUNNING, DOWN -> "restarting";
            case STOPPING, STOPPED -> "stopped";
        };
    }

    /** Callers waiting for a worker with room now. */
    public int waitingCallers() {
        return this.room.waiting();
    }

    /** Frame bytes read from this pool's workers, gone ones included. */
    public long bytesRead() {
        return this.exits.bytesRead() + allWorkers().stream().mapToLong((w) -> w.launched().connection().bytesRead()).sum();
    }

    /** Frame bytes written to this pool's workers, gone ones included. */
    public long bytesWritten() {
        return this.exits.bytesWritten()
                + allWorkers().stream().mapToLong((w) -> w.launched().connection().bytesWritten()).sum();
    }

    /** Messages in flight across the pool. */
    public int inFlight() {
        return allWorkers().stream().mapToInt(PoolWorker::inFlight).sum();
    }

    /** How many workers were replaced after they crashed. */
    public long restartCount() {
        return this.recovery.restarts();
    }

    /** How many healthy workers were replaced (recycling, rolling restarts). */
    public long recycleCount() {
        return this.replacement.replaced();
    }

    /** Workers that accept messages now. */
    List<PoolWorker> usableWorkers() {
        return currentWorkers().stream().filter(PoolWorker::isUsable).toList();
    }

    /** The workers in the pool's slots. */
    List<PoolWorker> currentWorkers() {
        List<PoolWorker> current = new ArrayList<>();
        for (int i = 0; i < this.workers.length(); i++) {
            PoolWorker worker = this.workers.get(i);
            if (worker != null) {
                current.add(worker);
            }
        }
        return current;
    }

    /** The pool's slots, each with its current worker or none; for a look without a list made. */
    AtomicReferenceArray<@Nullable PoolWorker> slots() {
        return this.workers;
    }

    /** Workers replaced and still finishing their work before they leave. */
    Set<PoolWorker> retiringWorkers() {
        return this.retiring;
    }

    /** Current workers and those still finishing their work before they leave. */
    List<PoolWorker> allWorkers() {
        List<PoolWorker> all = currentWorkers();
        all.addAll(this.retiring);
        return all;
    }

    /** Pids of the workers in the pool's slots, by slot order. */
    public List<Long> workerPids() {
        return currentWorkers().stream().map(PoolWorker::getId).toList();
    }
}
