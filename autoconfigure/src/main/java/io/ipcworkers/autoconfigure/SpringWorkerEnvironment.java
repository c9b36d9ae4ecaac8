package io.ipcworkers.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ipcworkers.pool.PoolSettings;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.Environment;

/**
 * What a Spring worker takes from the application's environment to read the application's
 * configuration as the application does: its active profiles and where its configuration files are.
 * A worker reads the same files on the same class path and inherits the environment variables, but
 * not the application's command line or system properties, where {@code --spring.profiles.active=prod}
 * usually is: without them a worker would quietly run with the default profile's settings. Given to the
 * workers as environment variables; a pool's own {@code environment} wins.
 */
final class SpringWorkerEnvironment {

    /** The settings passed on, each with the variable a worker's Spring environment reads it from. */
    private static final Map<String, String> PASSED_ON = Map.of("spring.config.name", "SPRING_CONFIG_NAME",
            "spring.config.location", "SPRING_CONFIG_LOCATION", "spring.config.additional-location",
            "SPRING_CONFIG_ADDITIONALLOCATION");

    private static final String ACTIVE_PROFILES = "SPRING_PROFILES_ACTIVE";

    private SpringWorkerEnvironment() {
    }

    /** The pools, those of Spring workers with the application's settings added to their environment. */
    static List<PoolSettings> passOn(Environment environment, List<PoolSettings> pools, @Nullable ClassLoader classLoader) {
        Map<String, String> passed = passedOn(environment);
        if (passed.isEmpty()) {
            return pools;
        }
        return pools.stream()
            .map((pool) -> PoolSettingsFactory.isSpringWorkerPool(pool, classLoader) ? withPassedOn(pool, passed) : pool)
            .toList();
    }

    private static Map<String, String> passedOn(Environment environment) {
        Map<String, String> passed = new LinkedHashMap<>();
        String[] profiles = environment.getActiveProfiles();
        if (profiles.length > 0) {
            passed.put(ACTIVE_PROFILES, String.join(",", profiles));
        }
        PASSED_ON.forEach((property, variable) -> {
            String value = environment.getProperty(property);
            if (value != null) {
                passed.put(variable, value);
            }
        });
        return passed;
    }

    private static PoolSettings withPassedOn(PoolSettings pool, Map<String, String> passed) {
        Map<String, String> environment = new LinkedHashMap<>(passed);
        environment.putAll(pool.environment());
        return pool.withEnvironment(environment);
    }
}
