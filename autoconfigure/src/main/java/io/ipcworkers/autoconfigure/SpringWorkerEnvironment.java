package io.ipcworkers.autoconfigure;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.ipcworkers.autoconfigure.worker.ApplicationCommandLine;
import io.ipcworkers.autoconfigure.worker.InheritedLogging;
import io.ipcworkers.pool.PoolSettings;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * What a Spring worker takes from the application's environment to read the application's
 * configuration as the application does. A worker reads the same files on the same class path and
 * inherits the environment variables, but does not see the application's command line or system
 * properties, where {@code --spring.profiles.active=prod} usually is: without them a worker would quietly
 * run with the default profile's settings. So it gets the command line ({@link ApplicationCommandLine}),
 * and the active profiles, where the configuration files are and what they import, wherever the
 * application has them from. And the application's own logging settings, which a worker is not to repeat
 * ({@link InheritedLogging}). Given to the workers as environment variables; a pool's own
 * {@code environment} wins.
 */
final class SpringWorkerEnvironment {

    /** The settings passed on, each with the variable a worker's Spring environment reads it from. */
    private static final Map<String, String> PASSED_ON = Map.of("spring.config.name", "SPRING_CONFIG_NAME",
            "spring.config.location", "SPRING_CONFIG_LOCATION", "spring.config.additional-location",
            "SPRING_CONFIG_ADDITIONALLOCATION");

    private static final String ACTIVE_PROFILES = "SPRING_PROFILES_ACTIVE";

    private static final String IMPORT = "spring.config.import";

    /**
     * Where an import the worker would not see may be set, highest precedence first. Not the configuration
     * files: a worker reads those itself, and an import in one is relative to that file, not to where the
     * worker starts. Not the environment variables either: a worker inherits them.
     */
    private static final List<String> IMPORT_SOURCES = List.of(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME,
            StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, DefaultPropertiesPropertySource.NAME);

    private SpringWorkerEnvironment() {
    }

    /**
     * The pools, those of Spring workers with the application's settings added to their environment.
     * @param arguments the application's command-line arguments
     */
    static List<PoolSettings> passOn(Environment environment, List<String> arguments, List<PoolSettings> pools,
            @Nullable ClassLoader classLoader) {
        Map<String, String> passed = passedOn(environment);
        List<String> commandLine = readsCommandLine(environment) ? arguments : List.of();
        if (passed.isEmpty() && commandLine.isEmpty()) {
            return pools;
        }
        return pools.stream()
            .map((pool) -> PoolSettingsFactory.isSpringWorkerPool(pool, classLoader) ? withPassedOn(pool, passed, commandLine)
                    : pool)
            .toList();
    }

    /** Not when the application keeps its arguments out of its settings ({@code setAddCommandLineProperties(false)}). */
    private static boolean readsCommandLine(Environment environment) {
        return environment instanceof ConfigurableEnvironment configurable
                && configurable.getPropertySources().contains(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME);
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
        String imported = importOutsideTheFiles(environment);
        if (imported != null) {
            passed.put("SPRING_CONFIG_IMPORT", imported);
        }
        passed.putAll(InheritedLogging.variables(environment));
        return passed;
    }

    /**
     * {@code spring.config.import} as the application's command line, system properties or default
     * properties set it (a config tree of secrets, say), which Boot imports before the files.
     */
    private static @Nullable String importOutsideTheFiles(Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable) {
            for (String name : IMPORT_SOURCES) {
                PropertySource<?> source = configurable.getPropertySources().get(name);
                Object value = (source != null) ? source.getProperty(IMPORT) : null;
                if (value instanceof String locations) {
                    return locations;
                }
                if (value instanceof Collection<?> locations) { // default properties may hold a list
                    return locations.stream().map(String::valueOf).collect(Collectors.joining(","));
                }
            }
        }
        return null;
    }

    private static PoolSettings withPassedOn(PoolSettings pool, Map<String, String> passed, List<String> arguments) {
        Map<String, String> environment = new LinkedHashMap<>(passed);
        // what the pool sets stays the pool's; what is passed on resolved (the active profiles: the command
        // line's and those the application adds in code) is not to be narrowed by the command line's own
        Set<String> setOtherwise = new HashSet<>(passed.keySet());
        setOtherwise.addAll(pool.environment().keySet());
        environment.putAll(ApplicationCommandLine.variables(arguments, setOtherwise));
        environment.putAll(pool.environment());
        return pool.withEnvironment(environment);
    }
}
