package io.ipcworkers.autoconfigure;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.jspecify.annotations.Nullable;

/**
 * Checks each configured pool and turns it into {@link PoolSettings}. Everything that can be known
 * in the parent is checked here, before any JVM starts, so that a mistake fails start-up with a
 * report naming the pool, the property and the fix.
 */
final class PoolSettingsFactory {

    private final ClassLoader classLoader;

    PoolSettingsFactory(@Nullable ClassLoader classLoader) {
        this.classLoader = (classLoader != null) ? classLoader : PoolSettingsFactory.class.getClassLoader();
    }

    List<PoolSettings> create(Map<String, IpcWorkersProperties.Pool> pools) {
        List<PoolSettings> settings = new ArrayList<>();
        pools.forEach((name, pool) -> settings.add(create(name, pool)));
        return settings;
    }

    PoolSettings create(String name, IpcWorkersProperties.Pool pool) {
        String prefix = "ipc.pools." + name + ".";
        if (pool.getWorkers() < 1) {
            throw new InvalidPoolConfigurationException(name, prefix + "workers", "must be at least 1, but is "
                    + pool.getWorkers(), "Set " + prefix + "workers to the number of worker JVMs the pool keeps "
                    + "running (1 or more), or remove the pool.", null);
        }
        if (pool.getMaxInFlight() < 1) {
            throw new InvalidPoolConfigurationException(name, prefix + "max-in-flight", "must be at least 1, but is "
                    + pool.getMaxInFlight(), "Set " + prefix + "max-in-flight to 1 or more.", null);
        }
        requirePositive(name, prefix + "request-timeout", pool.getRequestTimeout());
        requirePositive(name, prefix + "acquire-timeout", pool.getAcquireTimeout());
        requirePositive(name, prefix + "start-timeout", pool.getStartTimeout());
        requirePositive(name, prefix + "stop-timeout", pool.getStopTimeout());
        requirePositive(name, prefix + "restart.backoff", pool.getRestart().getBackoff());
        requirePositive(name, prefix + "restart.max-backoff", pool.getRestart().getMaxBackoff());
        String workerClass = checkWorkerClass(name, prefix + "worker", pool.getWorker());
        return new PoolSettings(name, pool.getWorkers(), workerClass, pool.getJvmArgs(), pool.getEnvironment(),
                pool.getRouting(), pool.getMaxInFlight(), pool.getRequestTimeout(), pool.getAcquireTimeout(),
                pool.getStartTimeout(), pool.getStopTimeout(), pool.getRestart().getBackoff(),
                pool.getRestart().getMaxBackoff());
    }

    private static void requirePositive(String pool, String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidPoolConfigurationException(pool, property, "must be positive, but is " + value,
                    "Set " + property + " to a positive duration such as 30s or 500ms.", null);
        }
    }

    private String checkWorkerClass(String pool, String property, @Nullable String workerClass) {
        if (workerClass == null || workerClass.isBlank()) {
            throw new InvalidPoolConfigurationException(pool, property, "is not set", "Set " + property
                    + " to the fully qualified name of the class each worker JVM boots: a @Configuration class "
                    + "for a Spring worker, or any class with a no-arg constructor and @IpcListener methods.", null);
        }
        Class<?> type;
        try {
            type = Class.forName(workerClass.trim(), false, this.classLoader);
        }
        catch (ClassNotFoundException | LinkageError ex) {
            throw new InvalidPoolConfigurationException(pool, property, "names class '" + workerClass
                    + "', which cannot be loaded (" + ex + ")", "Check the class name in " + property
                    + " and that the class and its dependencies are on the class path.", ex);
        }
        if (!ListenerWorkerTask.isSpringConfiguration(type)) {
            checkPlainWorker(pool, property, type);
        }
        return type.getName();
    }

    private static void checkPlainWorker(String pool, String property, Class<?> type) {
        boolean instantiable = !type.isInterface() && !Modifier.isAbstract(type.getModifiers())
                && (type.getEnclosingClass() == null || Modifier.isStatic(type.getModifiers()))
                && hasNoArgConstructor(type);
        if (!instantiable) {
            throw new InvalidPoolConfigurationException(pool, property, "names " + type.getName()
                    + ", which is not a @Configuration class and cannot be instantiated with a no-arg constructor",
                    "Give " + type.getSimpleName() + " a no-arg constructor (a static nested or top-level, "
                    + "non-abstract class), make it a @Configuration class for a Spring worker, or point "
                    + property + " at another class.", null);
        }
        if (ListenerRegistry.annotatedMethods(type).isEmpty()) {
            throw new InvalidPoolConfigurationException(pool, property, "names " + type.getName()
                    + ", which has no @IpcListener methods, so its workers could never handle a message",
                    "Annotate the methods of " + type.getSimpleName() + " that handle messages with "
                    + "@IpcListener(\"topic\"), or point " + property + " at the right class.", null);
        }
    }

    private static boolean hasNoArgConstructor(Class<?> type) {
        try {
            type.getDeclaredConstructor();
            return true;
        }
        catch (NoSuchMethodException ex) {
            return false;
        }
    }
}
