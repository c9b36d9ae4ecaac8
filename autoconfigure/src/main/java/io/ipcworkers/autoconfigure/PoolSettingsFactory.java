package io.ipcworkers.autoconfigure;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ipcworkers.IpcListener;
import io.ipcworkers.dispatch.AnnotatedListeners;
import io.ipcworkers.dispatch.ListenerEndpoint;
import io.ipcworkers.dispatch.ListenerMethod;
import io.ipcworkers.launch.LaunchOptions;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

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

    /** Whether the pool's worker class (checked loadable by now) boots a Spring context. */
    static boolean isSpringWorkerPool(PoolSettings pool, @Nullable ClassLoader classLoader) {
        return ListenerWorkerTask.isSpringConfiguration(ClassUtils.resolveClassName(pool.workerClass(), classLoader));
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
        if (pool.getMaxWaiting() < 0) {
            throw new InvalidPoolConfigurationException(name, prefix + "max-waiting", "must not be negative, but is "
                    + pool.getMaxWaiting(), "Set " + prefix + "max-waiting to 0 (fail at once when full) or more.", null);
        }
        if (pool.getMaxInFlight() < 1) {
            throw new InvalidPoolConfigurationException(name, prefix + "max-in-flight", "must be at least 1, but is "
                    + pool.getMaxInFlight(), "Set " + prefix + "max-in-flight to 1 or more.", null);
        }
        requirePositive(name, prefix + "request-timeout", pool.getRequestTimeout());
        requirePositive(name, prefix + "acquire-timeout", pool.getAcquireTimeout());
        requirePositive(name, prefix + "start-timeout", pool.getStartTimeout());
        requirePositive(name, prefix + "stop-timeout", pool.getStopTimeout());
        String workerClass = checkWorkerClass(name, prefix + "worker", pool.getWorker());
        checkEnvironment(name, prefix + "environment", pool.getEnvironment());
        return new PoolSettings(name, pool.getWorkers(), workerClass, pool.getJvmArgs(), pool.getEnvironment(),
                pool.getRouting(), pool.getMaxInFlight(), pool.getMaxWaiting(), pool.getRequestTimeout(),
                pool.getAcquireTimeout(), pool.getStartTimeout(), pool.getStopTimeout(), supervision(name, prefix, pool),
                recycling(name, prefix, pool.getRecycle()), delivery(name, prefix, pool.getDelivery()),
                pool.isInterruptTimedOutRequests());
    }

    private static PoolSettings.Supervision supervision(String name, String prefix, IpcWorkersProperties.Pool pool) {
        IpcWorkersProperties.Restart restart = pool.getRestart();
        IpcWorkersProperties.Heartbeat heartbeat = pool.getHeartbeat();
        requirePositive(name, prefix + "restart.backoff", restart.getBackoff());
        requirePositive(name, prefix + "restart.max-backoff", restart.getMaxBackoff());
        requirePositive(name, prefix + "restart.crash-window", restart.getCrashWindow());
        requirePositive(name, prefix + "restart.cool-down", restart.getCoolDown());
        requirePositive(name, prefix + "heartbeat.interval", heartbeat.getInterval());
        requirePositive(name, prefix + "heartbeat.timeout", heartbeat.getTimeout());
        if (restart.getMaxCrashes() < 1) {
            throw new InvalidPoolConfigurationException(name, prefix + "restart.max-crashes", "must be at least 1, but is "
                    + restart.getMaxCrashes(), "Set " + prefix + "restart.max-crashes to 1 or more.", null);
        }
        if (heartbeat.getTimeout().compareTo(heartbeat.getInterval().multipliedBy(2)) < 0) {
            throw new InvalidPoolConfigurationException(name, prefix + "heartbeat.timeout", "(" + heartbeat.getTimeout()
                    + ") must be at least twice heartbeat.interval (" + heartbeat.getInterval()
                    + "), or healthy workers would be killed", "Raise " + prefix + "heartbeat.timeout or lower "
                    + prefix + "heartbeat.interval.", null);
        }
        Duration handlerTimeout = (pool.getHandlerTimeout() != null) ? pool.getHandlerTimeout() : Duration.ZERO;
        if (pool.getHandlerTimeout() != null) {
            requirePositive(name, prefix + "handler-timeout", handlerTimeout);
        }
        return new PoolSettings.Supervision(restart.getBackoff(), restart.getMaxBackoff(), restart.getMaxCrashes(),
                restart.getCrashWindow(), restart.getCoolDown(), heartbeat.getInterval(), heartbeat.getTimeout(),
                handlerTimeout);
    }

    private static PoolSettings.Recycling recycling(String name, String prefix, IpcWorkersProperties.Recycle recycle) {
        if (recycle.getAfterMessages() < 0) {
            throw new InvalidPoolConfigurationException(name, prefix + "recycle.after-messages", "must not be negative",
                    "Set " + prefix + "recycle.after-messages to 0 (never) or a positive count.", null);
        }
        if (recycle.getJitter() < 0 || recycle.getJitter() > 1) {
            throw new InvalidPoolConfigurationException(name, prefix + "recycle.jitter", "must be between 0 and 1, but is "
                    + recycle.getJitter(), "Set " + prefix + "recycle.jitter to a fraction such as 0.1.", null);
        }
        long maxHeap = nonNegativeBytes(name, prefix + "recycle.max-heap", recycle.getMaxHeap());
        long maxRss = nonNegativeBytes(name, prefix + "recycle.max-rss", recycle.getMaxRss());
        return new PoolSettings.Recycling(recycle.getAfterMessages(), recycle.getJitter(), maxHeap, maxRss);
    }

    private static PoolSettings.DeliveryPolicy delivery(String name, String prefix, IpcWorkersProperties.Delivery delivery) {
        if (delivery.getMaxRedeliveries() < 0) {
            throw new InvalidPoolConfigurationException(name, prefix + "delivery.max-redeliveries",
                    "must not be negative", "Set " + prefix + "delivery.max-redeliveries to 0 or more.", null);
        }
        return new PoolSettings.DeliveryPolicy(delivery.getMode(), delivery.getMaxRedeliveries());
    }

    /** A memory limit in bytes; 0 when not set. */
    private static long nonNegativeBytes(String pool, String property, @Nullable DataSize value) {
        if (value == null) {
            return 0;
        }
        if (value.isNegative()) {
            throw new InvalidPoolConfigurationException(pool, property, "must not be negative, but is " + value,
                    "Set " + property + " to a size such as 512MB, or remove it (no limit).", null);
        }
        return value.toBytes();
    }

    /** Refused here rather than at each worker's launch, and by the variable's name only: values may be secrets. */
    private static void checkEnvironment(String pool, String property, Map<String, String> environment) {
        try {
            LaunchOptions.checkedEnvironment(environment, "has variable");
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPoolConfigurationException(pool, property, ex.getMessage(), "Give each variable of "
                    + property + " a name without '=' and a value without NUL characters.", null);
        }
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
        Map<Method, IpcListener> listeners = AnnotatedListeners.of(type);
        if (listeners.isEmpty()) {
            throw new InvalidPoolConfigurationException(pool, property, "names " + type.getName()
                    + ", which has no @IpcListener methods, so its workers could never handle a message",
                    "Annotate the methods of " + type.getSimpleName() + " that handle messages with "
                    + "@IpcListener(\"topic\"), or point " + property + " at the right class.", null);
        }
        listeners.forEach((method, listener) -> refuseExpressions(pool, property, type, method, listener));
        if (listeners.values().stream().map(IpcListener::pool).noneMatch((only) -> only.isEmpty() || only.equals(pool))) {
            throw new InvalidPoolConfigurationException(pool, property, "names " + type.getName()
                    + ", whose @IpcListener methods all name other pools, so its workers could never handle a "
                    + "message", "Give " + type.getSimpleName() + " listeners for pool '" + pool + "' (or for every "
                    + "pool: no pool attribute), or point " + property + " at the right class.", null);
        }
        try {
            ListenerMethod.of(type);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidPoolConfigurationException(pool, property, "names " + type.getName()
                    + ", whose workers would fail to start: " + ex.getMessage(), "Fix that method of "
                    + type.getSimpleName() + ", or point " + property + " at the right class.", ex);
        }
    }

    /** A plain worker has no Spring environment: a placeholder there would be taken for the topic itself. */
    private static void refuseExpressions(String pool, String property, Class<?> type, Method method,
            IpcListener listener) {
        List<String> values = new ArrayList<>(ListenerEndpoint.topicsOf(listener));
        values.add(listener.pool());
        for (String value : values) {
            if (value.contains("${") || value.contains("#{")) {
                String name = method.getDeclaringClass().getSimpleName() + "." + method.getName();
                throw new InvalidPoolConfigurationException(pool, property, "names " + type.getName() + ", whose "
                        + "@IpcListener method " + name + " names '" + value + "', but placeholders and expressions "
                        + "are resolved in Spring beans only (a plain worker has no Spring environment)",
                        "Name the topics and pool of " + name + " literally, or make " + property + " a @Configuration "
                        + "class whose beans have the listeners (a Spring worker).", null);
            }
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
