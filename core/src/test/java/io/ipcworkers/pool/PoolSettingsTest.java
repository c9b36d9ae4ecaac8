package io.ipcworkers.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.ipcworkers.launch.LaunchOptions;
import io.ipcworkers.pool.PoolSettings.DeliveryMode;
import io.ipcworkers.pool.PoolSettings.DeliveryPolicy;
import io.ipcworkers.pool.PoolSettings.Recycling;
import io.ipcworkers.pool.PoolSettings.Supervision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PoolSettingsTest {

    private static final Map<String, String> ENVIRONMENT = Map.of("DB_PASSWORD", "s3cret!", "REGION", "eu-west-1");

    @Test
    void theEnvironmentsValuesNeverAppearInTheSettingsText() {
        PoolSettings settings = PoolSettings.of("reports", 2, "com.example.ReportWorker")
            .withEnvironment(ENVIRONMENT);
        assertThat(settings.environment()).isEqualTo(ENVIRONMENT);

        assertThat(settings.toString()).startsWith("PoolSettings[name=reports, workers=2, workerClass=com.example.ReportWorker")
            .contains("environment=[DB_PASSWORD, REGION] (values hidden)", "maxInFlight=256", "delivery=")
            .doesNotContain("s3cret!", "eu-west-1");
        assertThat(new LaunchOptions("reports-1", List.of("-Xmx64m"), ENVIRONMENT, true))
            .hasToString("LaunchOptions[name=reports-1, jvmArgs=[-Xmx64m], environment=[DB_PASSWORD, REGION] (values hidden), "
                    + "stopLeftoversAfterCleanExit=true, classDataGroup=null, classesBeforeReady=false]");
    }

    @Test
    void theDefaultsAreAccepted() {
        PoolSettings settings = PoolSettings.of("reports", 1, "com.example.ReportWorker");
        assertThat(settings.supervision().hasHandlerTimeout()).isFalse();
        assertThat(settings.recycling().isEnabled()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settingsAPoolCouldNotWorkWith")
    void settingsAPoolCouldNotWorkWithAreRefusedWhereTheyAreMadeNamingTheSetting(String what,
            Supplier<?> settings, String message) {
        assertThatIllegalArgumentException().isThrownBy(settings::get).withMessage(message);
    }

    static Stream<Arguments> settingsAPoolCouldNotWorkWith() {
        PoolSettings base = PoolSettings.of("reports", 1, "com.example.ReportWorker");
        Duration second = Duration.ofSeconds(1);
        return Stream.of(
                refused("no worker class", () -> PoolSettings.of("reports", 1, " "),
                        "Pool 'reports': workerClass must name a class, was  "),
                refused("no workers", () -> PoolSettings.of("reports", 0, "com.example.ReportWorker"),
                        "Pool 'reports' needs at least 1 worker, was 0"),
                refused("no room", () -> base.withLimits(0, 10, second),
                        "Pool 'reports' needs maxInFlight >= 1 and maxWaiting >= 0, was 0 and 10"),
                refused("a zero acquire timeout", () -> base.withLimits(1, 10, Duration.ZERO),
                        "Pool 'reports': acquireTimeout must be positive, was PT0S"),
                refused("a negative request timeout", () -> base.withRequestTimeout(Duration.ofMillis(-5)),
                        "Pool 'reports': requestTimeout must be positive, was PT-0.005S"),
                refused("no request timeout", () -> base.withRequestTimeout(null),
                        "Pool 'reports': requestTimeout must not be null"),
                refused("no routing", () -> base.withRouting(null), "Pool 'reports': routing must not be null"),
                refused("no JVM options", () -> base.withJvmArgs(null), "Pool 'reports': jvmArgs must not be null"),
                refused("a variable name with '='", () -> base.withEnvironment(Map.of("REGION=eu", "west")),
                        "Pool 'reports': invalid environment variable 'REGION=eu': a name must not be empty nor hold '=' "
                                + "or NUL, a value must not hold NUL"),
                // the JDK's own refusal, at each worker's launch, quoted the value
                refused("a value with NUL, named without it",
                        () -> base.withEnvironment(Map.of("DB_PASSWORD", "s3cret\0")),
                        "Pool 'reports': invalid environment variable 'DB_PASSWORD': a name must not be empty nor hold '=' "
                                + "or NUL, a value must not hold NUL"),
                refused("a zero start timeout", () -> new PoolSettings("reports", 1, "com.example.ReportWorker", List.of(),
                        Map.of(), Routing.LEAST_BUSY, 1, 0, second, second, Duration.ZERO, second,
                        Supervision.defaults(), Recycling.NEVER, DeliveryPolicy.defaults()),
                        "Pool 'reports': startTimeout must be positive, was PT0S"),
                refused("a zero stop timeout", () -> new PoolSettings("reports", 1, "com.example.ReportWorker", List.of(),
                        Map.of(), Routing.LEAST_BUSY, 1, 0, second, second, second, Duration.ZERO,
                        Supervision.defaults(), Recycling.NEVER, DeliveryPolicy.defaults()),
                        "Pool 'reports': stopTimeout must be positive, was PT0S"),
                refused("no supervision", () -> base.withSupervision(null), "Pool 'reports': supervision must not be null"),
                refused("a zero heartbeat", () -> supervision(Duration.ZERO, second, 10, Duration.ZERO),
                        "Supervision: heartbeatInterval must be positive, was PT0S"),
                refused("a heartbeat timeout under twice its interval", () -> supervision(second,
                        Duration.ofMillis(1999), 10, Duration.ZERO),
                        "Supervision: heartbeatTimeout (PT1.999S) must be at least twice its heartbeatInterval (PT1S), "
                                + "or healthy workers would be killed"),
                refused("no crashes allowed", () -> supervision(second, Duration.ofSeconds(2), 0, Duration.ZERO),
                        "Supervision: maxCrashes must be at least 1, was 0"),
                refused("a negative handler timeout", () -> supervision(second, Duration.ofSeconds(2), 10,
                        Duration.ofSeconds(-1)), "Supervision: handlerTimeout must not be negative (zero: no limit), was PT-1S"),
                refused("a zero restart backoff", () -> new Supervision(Duration.ZERO, second, 10, Duration.ofMinutes(1),
                        second, second, Duration.ofSeconds(2), Duration.ZERO),
                        "Supervision: restartBackoff must be positive, was PT0S"),
                refused("a negative recycling limit", () -> new Recycling(0, 0.1, -1, 0),
                        "Recycling: limits must not be negative (0: none), were afterMessages=0, maxHeapBytes=-1, maxRssBytes=0"),
                refused("a jitter over 1", () -> new Recycling(100, 1.5, 0, 0),
                        "Recycling: jitter must be between 0 and 1, was 1.5"),
                refused("a jitter that is not a number", () -> new Recycling(100, Double.NaN, 0, 0),
                        "Recycling: jitter must be between 0 and 1, was NaN"),
                refused("no delivery mode", () -> new DeliveryPolicy(null, 3), "Delivery policy: mode must not be null"),
                refused("negative redeliveries", () -> new DeliveryPolicy(DeliveryMode.REDELIVER, -1),
                        "Delivery policy: maxRedeliveries must not be negative, was -1"));
    }

    private static Supervision supervision(Duration heartbeatInterval, Duration heartbeatTimeout, int maxCrashes,
            Duration handlerTimeout) {
        return new Supervision(Duration.ofSeconds(1), Duration.ofSeconds(30), maxCrashes, Duration.ofMinutes(1),
                Duration.ofSeconds(30), heartbeatInterval, heartbeatTimeout, handlerTimeout);
    }

    private static Arguments refused(String what, Supplier<?> settings, String message) {
        return Arguments.of(what, settings, message);
    }
}
