package io.ipcworkers.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ipcworkers.pool.Routing;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of ipc-workers: worker pools and the channel to them.
 *
 * <pre>
 * ipc:
 *   pools:
 *     thumbnails:
 *       workers: 4
 *       worker: com.example.ThumbWorker
 *       jvm-args: [-Xmx256m]
 * </pre>
 */
@ConfigurationProperties("ipc")
public class IpcWorkersProperties {

    /** Whether to register the process manager and message bus and to start worker pools. */
    private boolean enabled = true;

    /** Whether pools start with the application context; when false, nothing is started until the lifecycle is started by hand. */
    private boolean autoStartup = true;

    /** Largest frame (one message, header included) either side accepts; checked before anything is allocated. */
    private DataSize maxFrameLength = DataSize.ofMegabytes(16);

    /**
     * Whether the message bus's sends and requests and the @IpcListener calls are observed with
     * Micrometer's Observation API (timers, and spans when tracing is set up, the trace context carried
     * to Spring workers that observe too, and back), given an ObservationRegistry bean.
     */
    private boolean observationEnabled;

    /** Worker pools by name; the name is what MessageBus methods and @IpcListener(pool) refer to. */
    private Map<String, Pool> pools = new LinkedHashMap<>();

    private final ClassDataSharing classDataSharing = new ClassDataSharing();

    private final ProcessManagerSettings processManager = new ProcessManagerSettings();

    public boolean isEnabled() {
        return this.enabled;
    }

    public ClassDataSharing getClassDataSharing() {
        return this.classDataSharing;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isAutoStartup() {
        return this.autoStartup;
    }

    public void setAutoStartup(boolean autoStartup) {
        this.autoStartup = autoStartup;
    }

    public boolean isObservationEnabled() {
        return this.observationEnabled;
    }

    public void setObservationEnabled(boolean observationEnabled) {
        this.observationEnabled = observationEnabled;
    }

    public DataSize getMaxFrameLength() {
        return this.maxFrameLength;
    }

    public void setMaxFrameLength(DataSize maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    public ProcessManagerSettings getProcessManager() {
        return this.processManager;
    }

    public Map<String, Pool> getPools() {
        return this.pools;
    }

    public void setPools(Map<String, Pool> pools) {
        this.pools = pools;
    }

    /** The children the ProcessManager bean starts ({@code runProcess}, {@code ProcessQueue}). */
    public static class ProcessManagerSettings {

        /** Options for each child JVM, such as -Xmx128m. */
        private List<String> jvmArgs = new ArrayList<>();

        /** Environment variables for each child JVM, over those it inherits; the place for secrets, which never go on a command line. */
        private Map<String, String> environment = new LinkedHashMap<>();

        /** How long a child may take from its start until it is connected. */
        private Duration startTimeout = Duration.ofSeconds(30);

        /** How long the ProcessManager bean waits after SIGTERM before it kills its remaining children on close; 0 kills them at once. */
        private Duration stopGracePeriod = Duration.ofSeconds(5);

        public List<String> getJvmArgs() {
            return this.jvmArgs;
        }

        public void setJvmArgs(List<String> jvmArgs) {
            this.jvmArgs = jvmArgs;
        }

        public Map<String, String> getEnvironment() {
            return this.environment;
        }

        public void setEnvironment(Map<String, String> environment) {
            this.environment = environment;
        }

        public Duration getStartTimeout() {
            return this.startTimeout;
        }

        public void setStartTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
        }

        public Duration getStopGracePeriod() {
            return this.stopGracePeriod;
        }

        public void setStopGracePeriod(Duration stopGracePeriod) {
            this.stopGracePeriod = stopGracePeriod;
        }
    }

    /** One pool of identical worker JVMs. */
    public static class Pool {

        /** How many worker JVMs this pool keeps running. */
        private int workers = 1;

        /**
         * Fully qualified name of the class each worker JVM boots: a @Configuration class boots a
         * minimal Spring context, any other class is instantiated with its no-arg constructor.
         */
        private @Nullable String worker;

        /** Options for each worker JVM, such as -Xmx256m. */
        private List<String> jvmArgs = new ArrayList<>();

        /** Environment variables for each worker JVM; the place for secrets, which never go on a command line. */
        private Map<String, String> environment = new LinkedHashMap<>();

        /** How a worker is picked for a message or request. */
        private Routing routing = Routing.LEAST_BUSY;

        /** Messages (sends and requests) one worker may have unacknowledged before routing passes it over; bounds the parent's memory. 1 sends only to idle workers, so that no message waits behind a long-running listener. */
        private int maxInFlight = 256;

        /** Callers that may wait for a worker with room when all are full; further callers fail at once. */
        private int maxWaiting = 1000;

        /** Longest a worker may spend on one message before it is killed and replaced (the message fails with a timeout); unset for no limit. */
        private @Nullable Duration handlerTimeout;

        /**
         * How long a request may take, from the call to its reply (a wait for a worker with room included),
         * before its future fails with a timeout, unless the request gives its own.
         */
        private Duration requestTimeout = Duration.ofSeconds(30);

        /** Whether the listener of a request still running when its timeout passes has its thread interrupted; nobody waits for its answer then. */
        private boolean interruptTimedOutRequests;

        /**
         * How long a send or request waits for a worker with room (all busy or restarting) before it fails;
         * a request no longer than its timeout.
         */
        private Duration acquireTimeout = Duration.ofSeconds(30);

        /** How long a worker may take from start to ready (Spring workers boot a context). */
        private Duration startTimeout = Duration.ofSeconds(60);

        /** How long a graceful stop waits for in-flight requests, then for workers to exit, before it kills them. */
        private Duration stopTimeout = Duration.ofSeconds(10);

        /** Restart policy for workers that exit unexpectedly. */
        private final Restart restart = new Restart();

        /** Liveness: workers heartbeat on a thread of their own; a silent one is taken as hung. */
        private final Heartbeat heartbeat = new Heartbeat();

        /** Replacing healthy workers after a number of messages or past a memory limit. */
        private final Recycle recycle = new Recycle();

        /** What happens to messages a worker had not acknowledged when it died. */
        private final Delivery delivery = new Delivery();

        public int getWorkers() {
            return this.workers;
        }

        public void setWorkers(int workers) {
            this.workers = workers;
        }

        public @Nullable String getWorker() {
            return this.worker;
        }

        public void setWorker(@Nullable String worker) {
            this.worker = worker;
        }

        public List<String> getJvmArgs() {
            return this.jvmArgs;
        }

        public void setJvmArgs(List<String> jvmArgs) {
            this.jvmArgs = jvmArgs;
        }

        public Map<String, String> getEnvironment() {
            return this.environment;
        }

        public void setEnvironment(Map<String, String> environment) {
            this.environment = environment;
        }

        public Routing getRouting() {
            return this.routing;
        }

        public void setRouting(Routing routing) {
            this.routing = routing;
        }

        public int getMaxInFlight() {
            return this.maxInFlight;
        }

        public void setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public int getMaxWaiting() {
            return this.maxWaiting;
        }

        public void setMaxWaiting(int maxWaiting) {
            this.maxWaiting = maxWaiting;
        }

        public @Nullable Duration getHandlerTimeout() {
            return this.handlerTimeout;
        }

        public void setHandlerTimeout(@Nullable Duration handlerTimeout) {
            this.handlerTimeout = handlerTimeout;
        }

        public Heartbeat getHeartbeat() {
            return this.heartbeat;
        }

        public Recycle getRecycle() {
            return this.recycle;
        }

        public Delivery getDelivery() {
            return this.delivery;
        }

        public Duration getRequestTimeout() {
            return this.requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }

        public boolean isInterruptTimedOutRequests() {
            return this.interruptTimedOutRequests;
        }

        public void setInterruptTimedOutRequests(boolean interruptTimedOutRequests) {
            this.interruptTimedOutRequests = interruptTimedOutRequests;
        }

        public Duration getAcquireTimeout() {
            return this.acquireTimeout;
        }

        public void setAcquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = acquireTimeout;
        }

        public Duration getStartTimeout() {
            return this.startTimeout;
        }

        public void setStartTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
        }

        public Duration getStopTimeout() {
            return this.stopTimeout;
        }

        public void setStopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
        }

        public Restart getRestart() {
            return this.restart;
        }
    }

    /** When and how fast crashed workers are replaced. */
    public static class Restart {

        /** Delay before the first restart of a crashed worker; doubles with each consecutive crash. */
        private Duration backoff = Duration.ofSeconds(1);

        /** Longest delay between restarts of a worker that keeps crashing. */
        private Duration maxBackoff = Duration.ofSeconds(30);

        /** More crashes than this within the crash window mark the pool down: sends fail fast instead of a restart loop. */
        private int maxCrashes = 10;

        /** The sliding window crashes are counted in. */
        private Duration crashWindow = Duration.ofMinutes(1);

        /** How long a pool stays down before it tries again by itself. */
        private Duration coolDown = Duration.ofSeconds(30);

        public int getMaxCrashes() {
            return this.maxCrashes;
        }

        public void setMaxCrashes(int maxCrashes) {
            this.maxCrashes = maxCrashes;
        }

        public Duration getCrashWindow() {
            return this.crashWindow;
        }

        public void setCrashWindow(Duration crashWindow) {
            this.crashWindow = crashWindow;
        }

        public Duration getCoolDown() {
            return this.coolDown;
        }

        public void setCoolDown(Duration coolDown) {
            this.coolDown = coolDown;
        }

        public Duration getBackoff() {
            return this.backoff;
        }

        public void setBackoff(Duration backoff) {
            this.backoff = backoff;
        }

        public Duration getMaxBackoff() {
            return this.maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }
    }

    /** Worker liveness. */
    public static class Heartbeat {

        /** How often each worker sends a heartbeat. */
        private Duration interval = Duration.ofSeconds(1);

        /** A worker silent for longer is killed and replaced (hung, frozen or stopped). */
        private Duration timeout = Duration.ofSeconds(10);

        public Duration getInterval() {
            return this.interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** Replacing healthy workers, one at a time, each replacement ready before the old worker leaves. */
    public static class Recycle {

        /** Replace a worker after about this many messages; 0 never. */
        private long afterMessages;

        /** Spread of after-messages per worker (0 to 1), so that a pool does not recycle all workers at once. */
        private double jitter = 0.1;

        /** Replace a worker whose used heap passes this; unset for no limit. */
        private @Nullable DataSize maxHeap;

        /** Replace a worker whose resident memory (RSS) passes this; unset for no limit. Linux only (read from /proc). */
        private @Nullable DataSize maxRss;

        public long getAfterMessages() {
            return this.afterMessages;
        }

        public void setAfterMessages(long afterMessages) {
            this.afterMessages = afterMessages;
        }

        public double getJitter() {
            return this.jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

        public @Nullable DataSize getMaxHeap() {
            return this.maxHeap;
        }

        public void setMaxHeap(@Nullable DataSize maxHeap) {
            this.maxHeap = maxHeap;
        }

        public @Nullable DataSize getMaxRss() {
            return this.maxRss;
        }

        public void setMaxRss(@Nullable DataSize maxRss) {
            this.maxRss = maxRss;
        }
    }

    /** Delivery guarantee. */
    public static class Delivery {

        /** fail: a dead worker's unacknowledged requests fail, sends become dead letters (at most once); redeliver: they go to another worker (at least once, for idempotent listeners). */
        private io.ipcworkers.pool.PoolSettings.DeliveryMode mode = io.ipcworkers.pool.PoolSettings.DeliveryMode.FAIL;

        /** With redeliver: how often one message may be redelivered before it becomes a dead letter. */
        private int maxRedeliveries = 3;

        public io.ipcworkers.pool.PoolSettings.DeliveryMode getMode() {
            return this.mode;
        }

        public void setMode(io.ipcworkers.pool.PoolSettings.DeliveryMode mode) {
            this.mode = mode;
        }

        public int getMaxRedeliveries() {
            return this.maxRedeliveries;
        }

        public void setMaxRedeliveries(int maxRedeliveries) {
            this.maxRedeliveries = maxRedeliveries;
        }
    }

    /** Class data sharing archives that pool workers write and start from. */
    public static class ClassDataSharing {

        /**
         * Directory for the class data sharing archives of pool workers (one per pool, written by its
         * first worker as it exits, then mapped by the workers started after it: a Spring worker starts
         * about a third faster, and about twice as fast from the AOT cache its pool keeps on JDK 25 and
         * later); unset for none. It holds code the workers run: created for the
         * application's user alone, and not used where others may write; one that cannot be created fails
         * the start. Needs a class path of jars (an extracted application).
         */
        private @Nullable Path directory;

        public @Nullable Path getDirectory() {
            return this.directory;
        }

        public void setDirectory(@Nullable Path directory) {
            this.directory = directory;
        }
    }
}
