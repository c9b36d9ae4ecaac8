package io.ipcworkers.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.ipcworkers.channel.Durations;
import io.ipcworkers.launch.LaunchOptions;
import org.jspecify.annotations.Nullable;

/**
 * One pool's settings.
 *
 * @param name the pool's name, used by the message bus
 * @param workers how many worker JVMs it keeps running
 * @param workerClass the class each worker JVM boots
 * @param jvmArgs options for each worker JVM
 * @param environment variables added to each worker's environment (the place for secrets: never the command line)
 * @param routing how a worker is picked
 * @param maxInFlight messages (sends and requests) one worker may have unacknowledged before it is passed over
 * @param maxWaiting callers that may wait for a worker with room; more fail at once
 * @param requestTimeout how long a request waits for its reply
 * @param acquireTimeout how long a send or request waits for a worker with room before it fails
 * @param startTimeout how long a worker may take from start to ready
 * @param stopTimeout how long a graceful stop waits for in-flight work, then for workers to exit
 * @param supervision restarts, crash limits, heartbeats and the handler timeout
 * @param recycling when workers are replaced although healthy
 * @param delivery what happens to unacknowledged messages of a worker that dies
 * @param interruptTimedOutRequests whether the listener of a request still running when its timeout
 *     passes has its thread interrupted (its caller has had its timeout already)
 */
public record PoolSettings(String name, int workers, String workerClass, List<String> jvmArgs,
        Map<String, String> environment, Routing routing, int maxInFlight, int maxWaiting, Duration requestTimeout,
        Duration acquireTimeout, Duration startTimeout, Duration stopTimeout, Supervision supervision,
        Recycling recycling, DeliveryPolicy delivery, boolean interruptTimedOutRequests) {

    /**
     * Refuses what a pool could not work with, naming the setting, so that a mistake fails here and not
     * as a worker that cannot start or a request that times out at once.
     */
    public PoolSettings {
        Objects.requireNonNull(name, "'name' must not be null");
        String owner = "Pool '" + name + "'";
        if (workerClass == null || workerClass.isBlank()) {
            throw new IllegalArgumentException(owner + ": workerClass must name a class, was " + workerClass);
        }
        if (workers < 1) {
            throw new IllegalArgumentException(owner + " needs at least 1 worker, was " + workers);
        }
        if (maxInFlight < 1 || maxWaiting < 0) {
            throw new IllegalArgumentException(owner + " needs maxInFlight >= 1 and maxWaiting >= 0, was "
                    + maxInFlight + " and " + maxWaiting);
        }
        jvmArgs = List.copyOf(notNull(owner, "jvmArgs", jvmArgs));
        environment = LaunchOptions.checkedEnvironment(notNull(owner, "environment", environment),
                owner + ": invalid environment variable");
        notNull(owner, "routing", routing);
        positive(owner, "requestTimeout", requestTimeout);
        positive(owner, "acquireTimeout", acquireTimeout);
        positive(owner, "startTimeout", startTimeout);
        positive(owner, "stopTimeout", stopTimeout);
        notNull(owner, "supervision", supervision);
        notNull(owner, "recycling", recycling);
        notNull(owner, "delivery", delivery);
    }

    /** Settings whose timed-out requests' listeners run on, as they did before that could be chosen. */
    public PoolSettings(String name, int workers, String workerClass, List<String> jvmArgs,
            Map<String, String> environment, Routing routing, int maxInFlight, int maxWaiting, Duration requestTimeout,
            Duration acquireTimeout, Duration startTimeout, Duration stopTimeout, Supervision supervision,
            Recycling recycling, DeliveryPolicy delivery) {
        this(name, workers, workerClass, jvmArgs, environment, routing, maxInFlight, maxWaiting, requestTimeout,
                acquireTimeout, startTimeout, stopTimeout, supervision, recycling, delivery, false);
    }

    /** Like a record's, but the environment's values are left out: they may be secrets. */
    @Override
    public String toString() {
        return "PoolSettings[name=" + this.name + ", workers=" + this.workers + ", workerClass=" + this.workerClass
                + ", jvmArgs=" + this.jvmArgs + ", environment=" + LaunchOptions.namesOnly(this.environment)
                + ", routing=" + this.routing + ", maxInFlight=" + this.maxInFlight + ", maxWaiting=" + this.maxWaiting
                + ", requestTimeout=" + this.requestTimeout + ", acquireTimeout=" + this.acquireTimeout
                + ", startTimeout=" + this.startTimeout + ", stopTimeout=" + this.stopTimeout + ", supervision="
                + this.supervision + ", recycling=" + this.recycling + ", delivery=" + this.delivery
                + ", interruptTimedOutRequests=" + this.interruptTimedOutRequests + "]";
    }

    /** Settings with defaults for everything but the essentials; for tests and plain-Java use. */
    public static PoolSettings of(String name, int workers, String workerClass) {
        return new PoolSettings(name, workers, workerClass, List.of(), Map.of(), Routing.LEAST_BUSY, 256, 1000,
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Supervision.defaults(), Recycling.NEVER, DeliveryPolicy.defaults());
    }

    public PoolSettings withRouting(Routing routing) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, this.recycling, this.delivery, this.interruptTimedOutRequests);
    }

    public PoolSettings withSupervision(Supervision supervision) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, this.routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, supervision, this.recycling, this.delivery, this.interruptTimedOutRequests);
    }

    public PoolSettings withRecycling(Recycling recycling) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, this.routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, recycling, this.delivery, this.interruptTimedOutRequests);
    }

    public PoolSettings withDelivery(DeliveryPolicy delivery) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, this.routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, this.recycling, delivery, this.interruptTimedOutRequests);
    }

    public PoolSettings withLimits(int maxInFlight, int maxWaiting, Duration acquireTimeout) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, this.routing,
                maxInFlight, maxWaiting, this.requestTimeout, acquireTimeout, this.startTimeout, this.stopTimeout,
                this.supervision, this.recycling, this.delivery, this.interruptTimedOutRequests);
    }

    /** The same settings, interrupting or not the listeners of requests still running when their timeout passes. */
    public PoolSettings withInterruptTimedOutRequests(boolean interruptTimedOutRequests) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, this.routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, this.recycling, this.delivery, interruptTimedOutRequests);
    }

    public PoolSettings withJvmArgs(List<String> jvmArgs) {
        return new PoolSettings(this.name, this.workers, this.workerClass, jvmArgs, this.environment, this.routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, this.recycling, this.delivery, this.interruptTimedOutRequests);
    }

    /** The same settings with these variables for each worker, added to what it inherits (the place for secrets). */
    public PoolSettings withEnvironment(Map<String, String> environment) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, environment, this.routing,
                this.maxInFlight, this.maxWaiting, this.requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, this.recycling, this.delivery, this.interruptTimedOutRequests);
    }

    public PoolSettings withRequestTimeout(Duration requestTimeout) {
        return new PoolSettings(this.name, this.workers, this.workerClass, this.jvmArgs, this.environment, this.routing,
                this.maxInFlight, this.maxWaiting, requestTimeout, this.acquireTimeout, this.startTimeout,
                this.stopTimeout, this.supervision, this.recycling, this.delivery, this.interruptTimedOutRequests);
    }

    /**
     * Restarts, crash limits and liveness.
     *
     * @param restartBackoff delay before the first restart of a crashed worker; doubles per consecutive crash
     * @param maxRestartBackoff the longest delay between restarts
     * @param maxCrashes more crashes than this within {@code crashWindow} mark the pool down
     * @param crashWindow the window crashes are counted in
     * @param coolDown how long a pool stays down before it tries again by itself
     * @param heartbeatInterval how often workers send a heartbeat (on a thread of their own)
     * @param heartbeatTimeout a worker silent for longer is taken as hung, killed and replaced
     * @param handlerTimeout a worker whose current message runs longer is killed; {@code Duration.ZERO}: no limit
     */
    public record Supervision(Duration restartBackoff, Duration maxRestartBackoff, int maxCrashes, Duration crashWindow,
            Duration coolDown, Duration heartbeatInterval, Duration heartbeatTimeout, Duration handlerTimeout) {

        public Supervision {
            String owner = "Supervision";
            positive(owner, "restartBackoff", restartBackoff);
            positive(owner, "maxRestartBackoff", maxRestartBackoff);
            positive(owner, "crashWindow", crashWindow);
            positive(owner, "coolDown", coolDown);
            positive(owner, "heartbeatInterval", heartbeatInterval);
            positive(owner, "heartbeatTimeout", heartbeatTimeout);
            if (maxCrashes < 1) {
                throw new IllegalArgumentException("Supervision: maxCrashes must be at least 1, was " + maxCrashes);
            }
            if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("Supervision: heartbeatTimeout (" + heartbeatTimeout
                        + ") must be at least twice its heartbeatInterval (" + heartbeatInterval
                        + "), or healthy workers would be killed");
            }
            if (notNull(owner, "handlerTimeout", handlerTimeout).isNegative()) {
                throw new IllegalArgumentException("Supervision: handlerTimeout must not be negative (zero: no limit), was "
                        + handlerTimeout);
            }
        }

        public static Supervision defaults() {
            return new Supervision(Duration.ofSeconds(1), Duration.ofSeconds(30), 10, Duration.ofMinutes(1),
                    Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ZERO);
        }

        public boolean hasHandlerTimeout() {
            return !this.handlerTimeout.isZero();
        }
    }

    /**
     * When healthy workers are replaced anyway (against slow leaks), one at a time, with the
     * replacement started before the old worker leaves.
     *
     * @param afterMessages replace a worker after it handled about this many messages; 0: never
     * @param jitter spread of {@code afterMessages} per worker, 0 to 1, so a pool does not recycle all at once
     * @param maxHeapBytes replace a worker whose used heap passes this; 0: no limit
     * @param maxRssBytes replace a worker whose resident memory passes this; 0: no limit
     */
    public record Recycling(long afterMessages, double jitter, long maxHeapBytes, long maxRssBytes) {

        public static final Recycling NEVER = new Recycling(0, 0.1, 0, 0);

        public Recycling {
            if (afterMessages < 0 || maxHeapBytes < 0 || maxRssBytes < 0) {
                throw new IllegalArgumentException("Recycling: limits must not be negative (0: none), were afterMessages="
                        + afterMessages + ", maxHeapBytes=" + maxHeapBytes + ", maxRssBytes=" + maxRssBytes);
            }
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("Recycling: jitter must be between 0 and 1, was " + jitter);
            }
        }

        public boolean isEnabled() {
            return this.afterMessages > 0 || this.maxHeapBytes > 0 || this.maxRssBytes > 0;
        }
    }

    /**
     * What happens to messages a worker had not acknowledged when it died.
     *
     * @param mode fail them (default) or redeliver them to another worker
     * @param maxRedeliveries how often one message may be redelivered before it is dead-lettered
     */
    public record DeliveryPolicy(DeliveryMode mode, int maxRedeliveries) {

        public DeliveryPolicy {
            notNull("Delivery policy", "mode", mode);
            if (maxRedeliveries < 0) {
                throw new IllegalArgumentException("Delivery policy: maxRedeliveries must not be negative, was "
                        + maxRedeliveries);
            }
        }

        public static DeliveryPolicy defaults() {
            return new DeliveryPolicy(DeliveryMode.FAIL, 3);
        }
    }

    private static <T> T notNull(String owner, String setting, @Nullable T value) {
        if (value == null) {
            throw new IllegalArgumentException(owner + ": " + setting + " must not be null");
        }
        return value;
    }

    private static void positive(String owner, String setting, @Nullable Duration value) {
        Durations.requirePositive(owner + ": " + setting, notNull(owner, setting, value));
    }

    /** Delivery guarantee for messages whose worker dies before acknowledging them. */
    public enum DeliveryMode {

        /** The request fails naming the worker, exit code and stderr; a plain send is dead-lettered. At most once. */
        FAIL,

        /** Sent again to another worker, up to {@code maxRedeliveries} times; for idempotent listeners. At least once. */
        REDELIVER
    }
}
