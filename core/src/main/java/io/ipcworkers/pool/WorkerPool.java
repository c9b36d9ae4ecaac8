package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.launch.ChildLauncher;
import io.ipcworkers.launch.LaunchOptions;
import io.ipcworkers.launch.LaunchedChild;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.jspecify.annotations.Nullable;

/**
 * A fixed number of listener worker JVMs behind one name. Routes messages and requests to its
 * workers, replaces a worker that dies (with exponential backoff), and stops gracefully: no new
 * work, in-flight requests finish within the stop timeout, workers are asked to exit, stragglers
 * are killed.
 */
public final class WorkerPool {

    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /** Lifecycle states. */
    public enum State {
        NEW, STARTING, RUNNING, STOPPING, STOPPED
    }

    private final PoolSettings settings;

    private final ChildLauncher launcher;

    private final MessageCodec codec;

    private final InboundDispatcher inbound;

    private final ScheduledExecutorService scheduler;

    private final Executor executor;

    private final AtomicReferenceArray<@Nullable PoolWorker> workers;

    private final int[] consecutiveCrashes;

    private final AtomicLong correlationIds = new AtomicLong();

    private final AtomicInteger nextWorker = new AtomicInteger();

    private final AtomicLong restarts = new AtomicLong();

    private final Object capacity = new Object();

    private final Map<String, LongAdder> unhandledSends = new ConcurrentHashMap<>();

    private volatile State state = State.NEW;

    public WorkerPool(PoolSettings settings, ChildLauncher launcher, MessageCodec codec, InboundDispatcher inbound,
            ScheduledExecutorService scheduler, Executor executor) {
        this.settings = settings;
        this.launcher = launcher;
        this.codec = codec;
        this.inbound = inbound;
        this.scheduler = scheduler;
        this.executor = executor;
        this.workers = new AtomicReferenceArray<>(settings.workers());
        this.consecutiveCrashes = new int[settings.workers()];
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

    InboundDispatcher inbound() {
        return this.inbound;
    }

    ScheduledExecutorService scheduler() {
        return this.scheduler;
    }

    /**
     * Starts every worker in parallel and waits until all are ready.
     * @throws PoolStartException naming the worker that could not start and why (its stderr included);
     *     workers that did start are stopped again
     */
    public void start() {
        this.state = State.STARTING;
        List<CompletableFuture<PoolWorker>> starting = new ArrayList<>();
        for (int slot = 0; slot < this.settings.workers(); slot++) {
            int index = slot;
            starting.add(CompletableFuture.supplyAsync(() -> startWorker(index), this.executor));
        }
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        }
        catch (CompletionException ex) {
            this.state = State.STOPPING;
            starting.forEach((future) -> future.thenAccept((worker) -> worker.stopProcess(Duration.ZERO)));
            this.state = State.STOPPED;
            Throwable cause = ex.getCause();
            throw new PoolStartException(name(), cause);
        }
        this.state = State.RUNNING;
    }

    private PoolWorker startWorker(int slot) {
        String workerName = name() + "-" + (slot + 1);
        LaunchedChild child = this.launcher.launch(new ListenerWorkerTask(name(), this.settings.workerClass()),
                new LaunchOptions(workerName, this.settings.jvmArgs(), this.settings.environment()));
        PoolWorker worker = new PoolWorker(this, slot, child, this.codec, new SerialExecutor(this.executor));
        worker.startReading();
        worker.awaitReady(this.settings.startTimeout());
        this.workers.set(slot, worker);
        synchronized (this.capacity) {
            this.capacity.notifyAll();
        }
        return worker;
    }

    /**
     * Sends a message to one worker chosen by the pool's routing. A message for a topic the workers
     * have no listener for is not sent: it is counted and logged once per topic.
     */
    public void send(String topic, @Nullable Object payload) {
        Message message = Message.of(topic, payload);
        PoolWorker worker = acquire(topic);
        if (!worker.listensTo(topic)) {
            unhandled(topic, worker);
            return;
        }
        worker.send(message);
    }

    /** Sends a message to every usable worker with a listener for the topic; returns how many. */
    public int broadcast(String topic, @Nullable Object payload) {
        requireRunning(topic);
        Message message = Message.of(topic, payload);
        int sent = 0;
        for (PoolWorker worker : usableWorkers()) {
            if (!worker.listensTo(topic)) {
                unhandled(topic, worker);
                continue;
            }
            try {
                worker.send(message);
                sent++;
            }
            catch (io.ipcworkers.ProcessExitedException ex) {
                // died in the meantime: it is being replaced and was not reached
            }
        }
        return sent;
    }

    /** Sends a request to one worker; the future completes with its listener's reply. */
    public <T> CompletableFuture<T> request(String topic, @Nullable Object payload, Class<T> replyType) {
        Message message = Message.of(topic, payload);
        PoolWorker worker = acquire(topic);
        if (!worker.listensTo(topic)) {
            return CompletableFuture.failedFuture(new NoListenerException("No listener for topic '" + topic
                    + "' in pool '" + name() + "' (its workers listen to " + new TreeSet<>(worker.topics()) + ")"));
        }
        long id = this.correlationIds.incrementAndGet();
        return worker.request(id, message, this.settings.requestTimeout())
            .thenApply((reply) -> reply.payloadAs(replyType));
    }

    /**
     * A usable worker with room for another request, by the pool's routing; waits up to the acquire
     * timeout while every worker is busy or being replaced.
     */
    private PoolWorker acquire(String topic) {
        requireRunning(topic);
        long deadline = System.nanoTime() + this.settings.acquireTimeout().toNanos();
        synchronized (this.capacity) {
            while (true) {
                PoolWorker worker = pick();
                if (worker != null) {
                    return worker;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw noCapacity(topic);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this.capacity, remaining);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IpcException("Interrupted while waiting for a worker of pool '" + name() + "'", ex);
                }
                requireRunning(topic);
            }
        }
    }

    private @Nullable PoolWorker pick() {
        int size = this.workers.length();
        int start = Math.floorMod(this.nextWorker.getAndIncrement(), size);
        PoolWorker best = null;
        for (int i = 0; i < size; i++) {
            PoolWorker candidate = this.workers.get((start + i) % size);
            if (candidate == null || !candidate.isUsable() || candidate.inFlight() >= this.settings.maxInFlight()) {
                continue;
            }
            if (this.settings.routing() == Routing.ROUND_ROBIN) {
                return candidate;
            }
            if (best == null || candidate.inFlight() < best.inFlight()) {
                best = candidate;
            }
        }
        return best;
    }

    private IpcException noCapacity(String topic) {
        List<PoolWorker> usable = usableWorkers();
        if (usable.isEmpty()) {
            return new IpcTimeoutException("Pool '" + name() + "' has no live worker for '" + topic + "' after waiting "
                    + this.settings.acquireTimeout() + " (workers are being restarted; see the log for why they exited)");
        }
        return new IpcTimeoutException("Pool '" + name() + "' is busy: all " + usable.size() + " workers have "
                + this.settings.maxInFlight() + " requests in flight and none finished within "
                + this.settings.acquireTimeout() + " ('" + topic + "' was not sent)");
    }

    private void requireRunning(String topic) {
        State current = this.state;
        if (current != State.RUNNING) {
            throw new IpcException("Pool '" + name() + "' is " + current.name().toLowerCase()
                    + "; '" + topic + "' was not sent");
        }
    }

    private void unhandled(String topic, PoolWorker worker) {
        LongAdder count = this.unhandledSends.computeIfAbsent(topic, (key) -> new LongAdder());
        count.increment();
        if (count.sum() == 1) {
            logger.log(Level.WARNING, "No listener for topic '" + topic + "' in pool '" + name() + "' (its workers "
                    + "listen to " + new TreeSet<>(worker.topics()) + "); such messages are dropped and counted");
        }
    }

    /** Messages not sent because no worker listens to their topic, by topic. */
    public Map<String, Long> unhandledSendCounts() {
        Map<String, Long> counts = new TreeMap<>();
        this.unhandledSends.forEach((topic, count) -> counts.put(topic, count.sum()));
        return counts;
    }

    void requestFinished() {
        synchronized (this.capacity) {
            this.capacity.notifyAll();
        }
    }

    /** Called on the worker's reader thread once it is gone. */
    void workerExited(PoolWorker worker, LaunchedChild.ExitReport report) {
        if (!this.workers.compareAndSet(worker.slot(), worker, null)) {
            return; // never became the slot's worker (failed start) or already replaced
        }
        requestFinished();
        if (this.state != State.RUNNING) {
            return;
        }
        Duration backoff = nextBackoff(worker);
        logger.log(Level.WARNING, worker + " " + report.state() + "; restarting in " + backoff.toMillis() + " ms"
                + (report.lastStderrLines().isEmpty() ? "" : "; last stderr lines:\n  "
                        + String.join("\n  ", report.lastStderrLines())));
        scheduleRestart(worker.slot(), backoff);
    }

    private Duration nextBackoff(PoolWorker worker) {
        synchronized (this.consecutiveCrashes) {
            if (worker.uptime().compareTo(this.settings.maxRestartBackoff()) > 0) {
                this.consecutiveCrashes[worker.slot()] = 0; // it ran long enough: not a crash loop
            }
            int crashes = ++this.consecutiveCrashes[worker.slot()];
            long millis = this.settings.restartBackoff().toMillis() << Math.min(crashes - 1, 20);
            return Duration.ofMillis(Math.min(millis, this.settings.maxRestartBackoff().toMillis()));
        }
    }

    private void scheduleRestart(int slot, Duration delay) {
        this.scheduler.schedule(() -> this.executor.execute(() -> restart(slot)), delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void restart(int slot) {
        if (this.state != State.RUNNING || this.workers.get(slot) != null) {
            return;
        }
        try {
            startWorker(slot);
            this.restarts.incrementAndGet();
        }
        catch (RuntimeException ex) {
            Duration backoff;
            synchronized (this.consecutiveCrashes) {
                int crashes = ++this.consecutiveCrashes[slot];
                backoff = Duration.ofMillis(Math.min(this.settings.restartBackoff().toMillis() << Math.min(crashes - 1, 20),
                        this.settings.maxRestartBackoff().toMillis()));
            }
            logger.log(Level.ERROR, "Could not restart worker " + name() + "-" + (slot + 1) + ": " + ex.getMessage()
                    + "; retrying in " + backoff.toMillis() + " ms");
            scheduleRestart(slot, backoff);
        }
    }

    /**
     * Stops gracefully: refuses new work, waits up to the stop timeout for requests in flight, asks
     * every worker to finish its queue and exit, and kills those still running after the timeout.
     */
    public void stop() {
        if (this.state == State.STOPPED || this.state == State.NEW) {
            this.state = State.STOPPED;
            return;
        }
        this.state = State.STOPPING;
        long deadline = System.nanoTime() + this.settings.stopTimeout().toNanos();
        awaitNoRequestsInFlight(deadline);
        List<PoolWorker> running = allWorkers();
        running.forEach(PoolWorker::shutdown);
        for (PoolWorker worker : running) {
            worker.stopProcess(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        this.state = State.STOPPED;
        requestFinished();
    }

    private void awaitNoRequestsInFlight(long deadline) {
        synchronized (this.capacity) {
            while (inFlight() > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    logger.log(Level.WARNING, "Pool '" + name() + "' stops with " + inFlight()
                            + " requests still in flight after " + this.settings.stopTimeout()
                            + "; they fail as their workers stop");
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this.capacity, Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Requests in flight across the pool. */
    public int inFlight() {
        return allWorkers().stream().mapToInt(PoolWorker::inFlight).sum();
    }

    /** How many workers were replaced after they exited. */
    public long restartCount() {
        return this.restarts.get();
    }

    /** Workers that accept messages now. */
    List<PoolWorker> usableWorkers() {
        return allWorkers().stream().filter(PoolWorker::isUsable).toList();
    }

    List<PoolWorker> allWorkers() {
        List<PoolWorker> all = new ArrayList<>();
        for (int i = 0; i < this.workers.length(); i++) {
            PoolWorker worker = this.workers.get(i);
            if (worker != null) {
                all.add(worker);
            }
        }
        return all;
    }

    /** Pids of the workers running now, by slot order. */
    public List<Long> workerPids() {
        return allWorkers().stream().map(PoolWorker::getId).toList();
    }
}
