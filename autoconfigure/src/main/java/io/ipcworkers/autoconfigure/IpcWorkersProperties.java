package io.ipcworkers.autoconfigure;

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

    /** How long the ProcessManager bean waits after SIGTERM before it kills its remaining children on close. */
    private Duration stopGracePeriod = Duration.ofSeconds(5);

    /** Worker pools by name; the name is what MessageBus methods and @IpcListener(pool) refer to. */
    private Map<String, Pool> pools = new LinkedHashMap<>();

    public boolean isEnabled() {
        return this.enabled;
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

    public DataSize getMaxFrameLength() {
        return this.maxFrameLength;
    }

    public void setMaxFrameLength(DataSize maxFrameLength) {
        this.maxFrameLength = maxFrameLength;
    }

    public Duration getStopGracePeriod() {
        return this.stopGracePeriod;
    }

    public void setStopGracePeriod(Duration stopGracePeriod) {
        this.stopGracePeriod = stopGracePeriod;
    }

    public Map<String, Pool> getPools() {
        return this.pools;
    }

    public void setPools(Map<String, Pool> pools) {
        this.pools = pools;
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

        /** Requests one worker may have in flight before routing passes it over. */
        private int maxInFlight = 256;

        /** How long a request waits for its reply before its future fails with a timeout. */
        private Duration requestTimeout = Duration.ofSeconds(30);

        /** How long a send or request waits for a worker with room (all busy or restarting) before it fails. */
        private Duration acquireTimeout = Duration.ofSeconds(30);

        /** How long a worker may take from start to ready (Spring workers boot a context). */
        private Duration startTimeout = Duration.ofSeconds(60);

        /** How long a graceful stop waits for in-flight requests, then for workers to exit, before it kills them. */
        private Duration stopTimeout = Duration.ofSeconds(10);

        /** Restart policy for workers that exit unexpectedly. */
        private final Restart restart = new Restart();

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

        public Duration getRequestTimeout() {
            return this.requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
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
}
