package io.ipcworkers.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One pool's settings.
 *
 * @param name the pool's name, used by the message bus
 * @param workers how many worker JVMs it keeps running
 * @param workerClass the class each worker JVM boots
 * @param jvmArgs options for each worker JVM
 * @param environment variables added to each worker's environment (the place for secrets: never the command line)
 * @param routing how a worker is picked
 * @param maxInFlight requests one worker may have in flight before it is passed over
 * @param requestTimeout how long a request waits for its reply
 * @param acquireTimeout how long a send or request waits for a worker with room before it fails
 * @param startTimeout how long a worker may take from start to ready
 * @param stopTimeout how long a graceful stop waits for in-flight work, then for workers to exit
 * @param restartBackoff delay before the first restart of a crashed worker; doubles per consecutive crash
 * @param maxRestartBackoff the longest delay between restarts
 */
public record PoolSettings(String name, int workers, String workerClass, List<String> jvmArgs,
        Map<String, String> environment, Routing routing, int maxInFlight, Duration requestTimeout,
        Duration acquireTimeout, Duration startTimeout, Duration stopTimeout, Duration restartBackoff,
        Duration maxRestartBackoff) {

    public PoolSettings {
        Objects.requireNonNull(name, "'name' must not be null");
        Objects.requireNonNull(workerClass, "'workerClass' must not be null");
        if (workers < 1) {
            throw new IllegalArgumentException("Pool '" + name + "' needs at least 1 worker, was " + workers);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("Pool '" + name + "' needs maxInFlight of at least 1, was " + maxInFlight);
        }
        jvmArgs = List.copyOf(jvmArgs);
        environment = Map.copyOf(environment);
    }

    /** Settings with defaults for everything but the essentials; for tests and plain-Java use. */
    public static PoolSettings of(String name, int workers, String workerClass) {
        return new PoolSettings(name, workers, workerClass, List.of(), Map.of(), Routing.LEAST_BUSY, 256,
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(30));
    }
}
