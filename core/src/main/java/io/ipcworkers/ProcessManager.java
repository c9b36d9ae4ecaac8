package io.ipcworkers;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.ipcworkers.channel.Durations;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.Callbacks;
import io.ipcworkers.launch.ChildLauncher;
import io.ipcworkers.launch.LaunchOptions;
import io.ipcworkers.launch.LaunchedChild;
import io.ipcworkers.launch.LauncherSettings;
import tools.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/**
 * Starts child JVMs that run a {@link WorkerTask}, and tells you when they exit.
 *
 * <pre>{@code
 * try (ProcessManager pm = new ProcessManager()) {
 *     ChildProcess child = pm.runProcess((self, parent) -> {
 *         Message fromParent = parent.getNextMessage();
 *         parent.sendMessage(Message.of("hello parent", Map.of("pid", self.getId())));
 *     });
 *     child.sendMessage(Message.of("hello child", null));
 *     Message reply = child.getNextMessage();
 *     pm.awaitAll((exitCode, pid) -> true);
 * }
 * }</pre>
 *
 * <p>A child is a new JVM started with this JVM's {@code java} binary and class path (or its Spring
 * Boot executable jar), connected over a private, token-authenticated Unix domain socket. Its stdout
 * and stderr lines are forwarded with its pid as prefix (see {@link Builder#output}). No child
 * outlives the parent: {@link #close()} and JVM shutdown stop the remaining children (terminate, then
 * kill after a grace period), and a child whose parent was killed exits by itself.
 */
public class ProcessManager implements AutoCloseable {

    private static final System.Logger logger = System.getLogger(ProcessManager.class.getName());

    private static final String CHILD_NAME = "child";

    private final ChildLauncher launcher;

    private final MessageCodec codec;

    private final Duration stopGracePeriod;

    private final List<String> jvmArgs;

    private final Map<String, String> environment;

    private final List<Consumer<ChildProcess>> createHooks = new CopyOnWriteArrayList<>();

    private final ChildExits exits = new ChildExits();

    /**
     * One thread, so exits are told in the order noticed; it ends when idle, so a closed manager
     * leaves no thread behind (exits noticed after {@link #close()} are still told).
     */
    private final ThreadPoolExecutor exitNotifier = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), (task) -> {
                Thread thread = new Thread(task, "ipc-exit-notifier");
                thread.setDaemon(true);
                return thread;
            });

    private final ParentProcess mainProcess = new MainProcess();

    private final Thread shutdownHook = new Thread(this::shutDown, "ipc-process-manager-shutdown");

    private final AtomicBoolean closed = new AtomicBoolean();

    /** A process manager with default settings. */
    public ProcessManager() {
        this(builder());
    }

    private ProcessManager(Builder builder) {
        this.exitNotifier.allowCoreThreadTimeOut(true);
        this.codec = (builder.jsonMapper != null) ? new MessageCodec(builder.jsonMapper) : MessageCodec.withDefaultMapper();
        this.stopGracePeriod = builder.stopGracePeriod;
        this.jvmArgs = List.copyOf(builder.jvmArgs);
        this.environment = builder.environment;
        this.launcher = new ChildLauncher(new LauncherSettings(builder.maxFrameLength, builder.startTimeout,
                builder.output, List.of()));
        Runtime.getRuntime().addShutdownHook(this.shutdownHook);
    }

    /** Starts building a process manager with non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a child JVM that runs the task, and returns once the child is connected.
     * @throws IllegalArgumentException when the task is not serializable (no JVM is started)
     * @throws ProcessExitedException when the child exits before it connects
     * @throws IpcTimeoutException when it does not connect within the start timeout
     */
    public ChildProcess runProcess(WorkerTask task) {
        return runProcess(task, List.of());
    }

    /**
     * Starts a child JVM with extra JVM options (for example {@code -Xmx64m}) that runs the task.
     * @see #runProcess(WorkerTask)
     */
    public ChildProcess runProcess(WorkerTask task, List<String> extraJvmArgs) {
        Objects.requireNonNull(task, "'task' must not be null");
        if (this.closed.get()) {
            throw new IllegalStateException("This ProcessManager has been closed");
        }
        List<String> args = new ArrayList<>(this.jvmArgs);
        args.addAll(extraJvmArgs);
        LaunchedChild launched = this.launcher.launch(task,
                new LaunchOptions(CHILD_NAME, args, this.environment, false));
        ConnectedChildProcess child = new ConnectedChildProcess(launched, this.codec);
        this.exits.started(child);
        launched.process().onExit().thenAcceptAsync((process) -> {
            child.drainAfterExit();
            this.exits.exited(child, process.exitValue());
        }, this.exitNotifier);
        if (this.closed.get()) {
            // closed while this child connected, after close() or the shutdown hook had listed the children to stop
            child.kill();
            throw new IllegalStateException("This ProcessManager was closed while child " + child.getId()
                    + " was starting; the child was stopped");
        }
        runCreateHooks(child);
        return child;
    }

    /**
     * A hook that throws is logged and the others still run: the child is running by now, and its
     * caller (a {@link ProcessQueue} counting its slots, say) must get it, not an exception.
     */
    private void runCreateHooks(ChildProcess child) {
        for (Consumer<ChildProcess> hook : this.createHooks) {
            try {
                hook.accept(child);
            }
            catch (RuntimeException | Error ex) {
                Callbacks.rethrowIfFatal(ex);
                logger.log(Level.WARNING, "onProcessCreate hook failed for child " + child.getId(), ex);
            }
        }
    }

    /** Waits until every child started so far has exited. */
    public void awaitAll() {
        awaitAll((exitCode, pid) -> true);
    }

    /**
     * Waits for children to exit, calling back for each exit (including children that exited before
     * this call and were not yet reported), until none is left or the callback returns {@code false}.
     * The callback runs before the {@link #onProcessExit exit hooks} of that child. A callback that
     * throws ends the wait with its exception; that child counts as reported, and its hooks still run.
     */
    public void awaitAll(ExitCallback callback) {
        Objects.requireNonNull(callback, "'callback' must not be null");
        try {
            this.exits.awaitAll(callback);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for children to exit", ex);
        }
    }

    /**
     * Registers a hook called, in registration order, with each child once it has started. A hook that
     * throws is logged; the others still run and {@code runProcess} still returns the child.
     */
    public ProcessManager onProcessCreate(Consumer<ChildProcess> hook) {
        this.createHooks.add(Objects.requireNonNull(hook, "'hook' must not be null"));
        return this;
    }

    /**
     * Registers a hook called, in registration order, with each child's exit code and pid. A hook that
     * throws is logged and the others still run. Exits are told one at a time, in the order noticed, so a
     * hook that blocks holds up every later exit (and the {@code awaitAll} calls waiting for them): hand
     * long work to a thread of your own.
     */
    public ProcessManager onProcessExit(ExitCallback hook) {
        this.exits.addHook(Objects.requireNonNull(hook, "'hook' must not be null"));
        return this;
    }

    /** This JVM, as a {@link ParentProcess}: it has a pid but no parent channel. */
    public ParentProcess getMainProcess() {
        return this.mainProcess;
    }

    /** The children started by this manager that are still running. */
    public List<ChildProcess> getRunningProcesses() {
        return this.exits.running();
    }

    /**
     * Stops every running child (SIGTERM, then SIGKILL after the grace period) and, on Linux, what
     * they leave running, closes the socket and deletes its directory. Idempotent.
     */
    @Override
    public void close() {
        try {
            // whether or not it was closed already: the JVM keeps no hook of a closed manager
            Runtime.getRuntime().removeShutdownHook(this.shutdownHook);
        }
        catch (IllegalStateException ex) {
            // the JVM is shutting down and runs the hook itself
        }
        if (this.closed.compareAndSet(false, true)) {
            stopChildren();
        }
    }

    /** The socket children connect to; for tests. */
    java.nio.file.Path socketPath() {
        return this.launcher.socketPath();
    }

    /** What the JVM runs as it exits: closed first, so that a child started meanwhile is refused, not left out. */
    private void shutDown() {
        this.closed.set(true);
        stopChildren();
    }

    /** The hook the JVM runs as it exits; for tests. */
    Thread shutdownHook() {
        return this.shutdownHook;
    }

    private void stopChildren() {
        List<ChildProcess> children = this.exits.running();
        children.forEach(ChildProcess::terminate);
        long deadline = System.nanoTime() + Durations.cappedNanos(this.stopGracePeriod);
        for (ChildProcess child : children) {
            Process process = ((ConnectedChildProcess) child).launched().process();
            try {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !process.waitFor(remaining, TimeUnit.NANOSECONDS)) {
                    child.kill();
                    process.waitFor(1, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                child.kill();
            }
        }
        this.launcher.close();
    }

    /** Settings of a {@link ProcessManager}. */
    public static final class Builder {

        private @Nullable JsonMapper jsonMapper;

        private int maxFrameLength = Frame.DEFAULT_MAX_FRAME_LENGTH;

        private Duration startTimeout = Duration.ofSeconds(30);

        private Duration stopGracePeriod = Duration.ofSeconds(5);

        private ProcessOutput output = ProcessOutput.console();

        private List<String> jvmArgs = List.of();

        private Map<String, String> environment = Map.of();

        private Builder() {
        }

        /**
         * The mapper that writes and reads message payloads; default: Jackson's defaults with the Jackson
         * modules on the class path, as the children use unless told otherwise.
         */
        public Builder jsonMapper(JsonMapper jsonMapper) {
            this.jsonMapper = Objects.requireNonNull(jsonMapper, "'jsonMapper' must not be null");
            return this;
        }

        /**
         * The largest frame (one message, header included) either side accepts; default 16 MiB.
         * Checked before anything is allocated, on both sides.
         */
        public Builder maxFrameLength(int bytes) {
            this.maxFrameLength = bytes;
            return this;
        }

        /**
         * How long a child may take from start to connected; default 30 s.
         * @throws IllegalArgumentException for a timeout that is not positive
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Durations.requirePositive("startTimeout",
                    Objects.requireNonNull(timeout, "'timeout' must not be null"));
            return this;
        }

        /**
         * How long {@link #close()} waits after SIGTERM before it kills; default 5 s, zero to kill at once.
         * @throws IllegalArgumentException for a negative period
         */
        public Builder stopGracePeriod(Duration gracePeriod) {
            Objects.requireNonNull(gracePeriod, "'gracePeriod' must not be null");
            if (gracePeriod.isNegative()) {
                throw new IllegalArgumentException("stopGracePeriod must not be negative (zero kills at once), was "
                        + gracePeriod);
            }
            this.stopGracePeriod = gracePeriod;
            return this;
        }

        /** Where the children's stdout and stderr lines go; default {@link ProcessOutput#console()}. */
        public Builder output(ProcessOutput output) {
            this.output = Objects.requireNonNull(output, "'output' must not be null");
            return this;
        }

        /** JVM options for every child, e.g. {@code List.of("-Xmx128m")}. */
        public Builder jvmArgs(List<String> jvmArgs) {
            this.jvmArgs = List.copyOf(jvmArgs);
            return this;
        }

        /**
         * Variables added to every child's environment, over those it inherits from this JVM: the place for
         * a child's secrets, which never go on its command line (anyone can read that). This library logs
         * their names at most, never their values.
         * @throws IllegalArgumentException for a name that is empty or holds {@code =} or a NUL character,
         *     or a value that holds a NUL character, which no environment can hold
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = LaunchOptions.checkedEnvironment(Objects.requireNonNull(environment,
                    "'environment' must not be null"), "Invalid environment variable");
            return this;
        }

        public ProcessManager build() {
            return new ProcessManager(this);
        }
    }
}
