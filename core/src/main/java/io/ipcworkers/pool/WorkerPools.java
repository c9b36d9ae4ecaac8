package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipcworkers.MessageBus;
import io.ipcworkers.UnknownPoolException;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageHeaders;
import io.ipcworkers.dispatch.ListenerEndpoint;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.ChildLauncher;
import io.ipcworkers.launch.LauncherSettings;
import tools.jackson.core.type.TypeReference;
import org.jspecify.annotations.Nullable;

/**
 * Every pool of an application, and the {@link MessageBus} over them. Owns the shared socket,
 * threads and timers; {@link #start()} starts all pools (in parallel), {@link #stop()} stops them.
 */
public final class WorkerPools implements MessageBus, AutoCloseable {

    private static final System.Logger logger = System.getLogger(WorkerPools.class.getName());

    private final Map<String, WorkerPool> pools = new LinkedHashMap<>();

    private final ChildLauncher launcher;

    private final ScheduledThreadPoolExecutor scheduler;

    private final ExecutorService executor;

    private final InboundDispatcher inbound;

    private final ListenerRegistry parentListeners;

    /** Null when none was given: the bus's methods then call the pool without a lambda each. */
    private final @Nullable PoolObserver observer;

    private final AtomicBoolean closed = new AtomicBoolean();

    public WorkerPools(Collection<PoolSettings> settings, LauncherSettings launcherSettings, MessageCodec codec,
            ListenerRegistry parentListeners) {
        this(settings, launcherSettings, codec, parentListeners, List.of());
    }

    /** As {@link #WorkerPools(Collection, LauncherSettings, MessageCodec, ListenerRegistry, List, PoolObserver)}, unobserved. */
    public WorkerPools(Collection<PoolSettings> settings, LauncherSettings launcherSettings, MessageCodec codec,
            ListenerRegistry parentListeners, List<PoolListener> listeners) {
        this(settings, launcherSettings, codec, parentListeners, listeners, null);
    }

    /**
     * @param listeners told of pool events (metrics, application events)
     * @param observer runs around the bus's sends and requests and the parent listeners' calls; null for none
     * @throws IllegalArgumentException when two pools have the same name, or a plain worker class has an
     *     {@code @IpcListener} method its workers would fail on; nothing is left open then
     * @throws io.ipcworkers.launch.ClassDataDirectoryException when the launcher's class data sharing
     *     directory cannot be created
     */
    public WorkerPools(Collection<PoolSettings> settings, LauncherSettings launcherSettings, MessageCodec codec,
            ListenerRegistry parentListeners, List<PoolListener> listeners, @Nullable PoolObserver observer) {
        PoolListener listener = new CompositePoolListener(listeners);
        this.launcher = new ChildLauncher(launcherSettings);
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemon("ipc-pool-timer"));
        this.scheduler.setRemoveOnCancelPolicy(true); // a request timer re-armed earlier does not linger
        this.executor = Executors.newCachedThreadPool(daemon("ipc-pool-"));
        this.inbound = new InboundDispatcher(parentListeners, observer);
        this.parentListeners = parentListeners;
        this.observer = observer;
        try {
            for (PoolSettings pool : settings) {
                if (this.pools.containsKey(pool.name())) {
                    throw new IllegalArgumentException("Two pools are named '" + pool.name() + "'");
                }
                this.pools.put(pool.name(), new WorkerPool(pool, this.launcher, codec, this.inbound, this.scheduler,
                        this.executor, listener));
            }
        }
        catch (RuntimeException ex) {
            this.launcher.close(); // its socket directory and accepting thread
            this.scheduler.shutdownNow();
            this.executor.shutdownNow();
            throw ex;
        }
    }

    /** At start, when every parent listener has been registered. */
    private void warnOfListenersForUnknownPools() {
        for (ListenerEndpoint endpoint : this.parentListeners.forPoolsOtherThan(this.pools.keySet())) {
            logger.log(Level.WARNING, "@IpcListener " + endpoint.description() + " takes messages of pool '"
                    + endpoint.pool() + "' only, but no pool has that name (pools: " + this.pools.keySet()
                    + "), so it will never be called");
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return (task) -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Starts every pool; if one fails, the others are stopped and the failure is thrown.
     * @throws IllegalStateException when these pools have been closed
     */
    public void start() {
        warnOfListenersForUnknownPools();
        List<CompletableFuture<Void>> starting;
        try {
            starting = this.pools.values().stream()
                .map((pool) -> CompletableFuture.runAsync(pool::start, this.executor))
                .toList();
        }
        catch (RejectedExecutionException ex) {
            // a pool started before the executor refused is stopped by the close, as its start fails
            throw new IllegalStateException("These pools have been closed", ex);
        }
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        }
        catch (java.util.concurrent.CompletionException ex) {
            stop();
            throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
        }
        HeapBudget.check(this.pools.values());
    }

    /** Stops every pool gracefully, in parallel; once closed, does nothing (closing stopped them). */
    public void stop() {
        if (!this.closed.get()) {
            stopPools();
        }
    }

    private void stopPools() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        try {
            for (WorkerPool pool : this.pools.values()) {
                stopping.add(CompletableFuture.runAsync(pool::stop, this.executor));
            }
        }
        catch (RejectedExecutionException ex) {
            return; // closed meanwhile: close() stopped the pools before it shut the executor down
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Stops every pool (and, on Linux, what its workers leave running) and releases the socket and
     * threads; closing again does nothing.
     */
    @Override
    public void close() {
        if (!this.closed.compareAndSet(false, true)) {
            return;
        }
        stopPools();
        this.launcher.close();
        this.scheduler.shutdownNow();
        this.executor.shutdownNow();
    }

    /** Timers waiting to fire; for tests. */
    int scheduledTasks() {
        return this.scheduler.getQueue().size();
    }

    public WorkerPool pool(String name) {
        WorkerPool pool = this.pools.get(name);
        if (pool == null) {
            throw new UnknownPoolException(name, this.pools.keySet());
        }
        return pool;
    }

    public Collection<WorkerPool> pools() {
        return this.pools.values();
    }

    public InboundDispatcher inbound() {
        return this.inbound;
    }

    @Override
    public void send(String pool, String topic, @Nullable Object payload) {
        if (this.observer == null) {
            pool(pool).send(topic, payload);
            return;
        }
        this.observer.send(pool, topic, false, (headers) -> {
            pool(pool).send(topic, payload, MessageHeaders.encode(headers));
            return 1;
        });
    }

    @Override
    public int broadcast(String pool, String topic, @Nullable Object payload) {
        if (this.observer == null) {
            return pool(pool).broadcast(topic, payload);
        }
        return this.observer.send(pool, topic, true,
                (headers) -> pool(pool).broadcast(topic, payload, MessageHeaders.encode(headers)));
    }

    @Override
    public <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload, Class<T> replyType) {
        if (this.observer == null) {
            return pool(pool).request(topic, payload, replyType);
        }
        return observedRequest(pool, topic, payload, replyType, null, null);
    }

    @Override
    public <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload,
            TypeReference<T> replyType) {
        if (this.observer == null) {
            return pool(pool).request(topic, payload, replyType);
        }
        return observedRequest(pool, topic, payload, null, replyType, null);
    }

    @Override
    public <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload, Class<T> replyType,
            Duration timeout) {
        if (this.observer == null) {
            return pool(pool).request(topic, payload, replyType, timeout);
        }
        return observedRequest(pool, topic, payload, replyType, null, Objects.requireNonNull(timeout, "'timeout' must not be null"));
    }

    @Override
    public <T> CompletableFuture<T> request(String pool, String topic, @Nullable Object payload,
            TypeReference<T> replyType, Duration timeout) {
        if (this.observer == null) {
            return pool(pool).request(topic, payload, replyType, timeout);
        }
        return observedRequest(pool, topic, payload, null, replyType, Objects.requireNonNull(timeout, "'timeout' must not be null"));
    }

    /**
     * Any of the requests, through the observer, with the headers it gives: the pool is looked up inside,
     * so that an unknown pool is observed failing.
     * @param timeout the request's own, or null for the pool's
     */
    private <T> CompletableFuture<T> observedRequest(String pool, String topic, @Nullable Object payload,
            @Nullable Class<T> replyType, @Nullable TypeReference<T> genericReplyType, @Nullable Duration timeout) {
        return Objects.requireNonNull(this.observer).request(pool, topic, (headers) -> pool(pool).request(topic, payload,
                replyType, genericReplyType, timeout, MessageHeaders.encode(headers)));
    }
}
