package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.ipcworkers.IpcException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerMethod;
import io.ipcworkers.launch.ChildLauncher;
import io.ipcworkers.launch.LaunchOptions;
import io.ipcworkers.launch.LaunchedChild;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.jspecify.annotations.Nullable;

/**
 * Starts a pool's workers: launches a worker JVM for a slot and waits until it is ready, and, at the
 * pool's start, starts again one that {@code SIGKILL} ended before it was ready. Putting a ready
 * worker in its slot is the pool's job.
 */
final class WorkerStarter {

    /** The pool's own logger: what becomes of a pool's workers is read in one place. */
    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /**
     * Given to every worker JVM before the pool's own options (which can override them): a worker out
     * of memory exits at once and is replaced, instead of limping on with a broken heap.
     */
    static final List<String> DEFAULT_JVM_ARGS = List.of("-XX:+ExitOnOutOfMemoryError");

    /** How many times the pool's start starts a worker that {@code SIGKILL} ends before it is ready. */
    static final int START_ATTEMPTS = 3;

    private final WorkerPool pool;

    private final PoolSettings settings;

    private final ChildLauncher launcher;

    private final MessageCodec codec;

    /** The worker class's listener methods, read here once rather than by every worker at its start. */
    private final @Nullable List<ListenerMethod> listeners;

    WorkerStarter(WorkerPool pool, ChildLauncher launcher, MessageCodec codec) {
        this.pool = pool;
        this.settings = pool.settings();
        this.launcher = launcher;
        this.codec = codec;
        this.listeners = ListenerWorkerTask.listenersOf(this.settings.workerClass(), classLoader());
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return (context != null) ? context : WorkerPool.class.getClassLoader();
    }

    /** Starts a worker for a slot and waits until it is ready; the caller puts it in place. */
    PoolWorker start(int slot) {
        String name = this.pool.name();
        String workerName = name + "-" + (slot + 1);
        ListenerWorkerTask task = new ListenerWorkerTask(name, this.settings.workerClass(),
                this.settings.supervision().heartbeatInterval().toMillis(), this.listeners);
        List<String> jvmArgs = new ArrayList<>(DEFAULT_JVM_ARGS);
        jvmArgs.addAll(this.settings.jvmArgs());
        // a worker given no listeners finds its own: a Spring worker's context registers them
        LaunchedChild child = this.launcher.launch(task, LaunchOptions.poolWorker(name, workerName, jvmArgs,
                this.settings.environment(), this.listeners == null));
        PoolWorker worker = new PoolWorker(this.pool, slot, child, this.codec, this.pool.executor(),
                new WorkerRecycling(this.settings.recycling()));
        worker.startReading();
        worker.awaitReady(this.settings.startTimeout());
        this.pool.topicsAnnounced(worker.topics());
        this.pool.listener().workerStarted(name, workerName, worker.getId());
        return worker;
    }

    /**
     * {@link #start} at the pool's start. A worker that {@code SIGKILL} ends before it is ready (the
     * kernel's out-of-memory killer, an operator's {@code kill -9}) is not at fault, as a running one
     * killed so would not be: it is started again after the restart backoff, doubled each time, up to
     * {@link #START_ATTEMPTS} in all. One that fails by itself (its class, its listeners, an exit of its
     * own, the start timeout) fails the pool's start at once, as does a stop meanwhile.
     */
    PoolWorker startFirst(int slot) {
        RestartBackoff backoffs = new RestartBackoff(this.settings.supervision(), 1); // this slot's, during the start
        for (int attempt = 1;; attempt++) {
            try {
                return start(slot);
            }
            catch (ProcessExitedException ex) {
                if (ex.getExitCode() != ProcessExitedException.SIGKILL_EXIT_CODE) {
                    throw ex;
                }
                if (attempt == START_ATTEMPTS) {
                    throw new ProcessExitedException(ex.getMessage() + ", as were the " + (attempt - 1)
                            + " started for its slot before it", ex.getPid(), ex.getExitCode(), ex.getLastOutputLines());
                }
                Duration backoff = backoffs.afterFailure(0, Duration.ZERO);
                logger.log(Level.WARNING, ex.getMessage() + "; starting it again in " + backoff.toMillis()
                        + " ms (attempt " + (attempt + 1) + " of " + START_ATTEMPTS + ")");
                if (!this.pool.awaitWhileStarting(backoff)) {
                    throw new IpcException("it was stopped while its workers started");
                }
            }
        }
    }
}
