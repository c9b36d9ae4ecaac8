package io.ipcworkers.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.ipcworkers.MessageBus;
import io.ipcworkers.MessageFactory;
import io.ipcworkers.ProcessManager;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.codec.DefaultJsonMapper;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.ClassDataDirectoryException;
import io.ipcworkers.launch.LauncherSettings;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.pool.PoolListener;
import io.ipcworkers.pool.PoolObserver;
import io.ipcworkers.pool.WorkerPools;
import io.ipcworkers.autoconfigure.event.ApplicationEventPoolListener;
import io.ipcworkers.autoconfigure.logging.Slf4jProcessOutput;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * Auto-configuration of ipc-workers in the parent: a {@link ProcessManager}, a
 * {@link MessageFactory}, the pools declared under {@code ipc.pools} behind a {@link MessageBus},
 * and {@code @IpcListener} dispatch for messages from workers. Off with {@code ipc.enabled=false},
 * and always off inside a worker JVM.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnBooleanProperty(name = "ipc.enabled", matchIfMissing = true)
@Conditional(OnParentJvmCondition.class)
@EnableConfigurationProperties(IpcWorkersProperties.class)
public final class IpcWorkersAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ListenerRegistry ipcListenerRegistry() {
        return ListenerRegistry.forParent();
    }

    @Bean
    static IpcListenerAnnotationBeanPostProcessor ipcListenerAnnotationBeanPostProcessor(
            ObjectProvider<ListenerRegistry> registry) {
        return new IpcListenerAnnotationBeanPostProcessor(registry::getObject);
    }

    @Bean
    static IpcListenerBeanLazyInitializationExcludeFilter ipcListenerBeanLazyInitializationExcludeFilter() {
        return new IpcListenerBeanLazyInitializationExcludeFilter();
    }

    @Bean
    @ConditionalOnMissingBean
    MessageFactory messageFactory() {
        return new MessageFactory();
    }

    @Bean
    @ConditionalOnMissingBean
    ProcessManager processManager(IpcWorkersProperties properties, ObjectProvider<JsonMapper> jsonMapper,
            ObjectProvider<ProcessOutput> output) {
        IpcWorkersProperties.ProcessManagerSettings children = properties.getProcessManager();
        ProcessManager.Builder builder = ProcessManager.builder()
            .output(output.getIfAvailable(Slf4jProcessOutput::new))
            .jsonMapper(jsonMapper.getIfAvailable(DefaultJsonMapper::get))
            .maxFrameLength(maxFrameLength(properties))
            .jvmArgs(children.getJvmArgs())
            .startTimeout(childStartTimeout(children))
            .stopGracePeriod(stopGracePeriod(children));
        try {
            builder.environment(children.getEnvironment());
        }
        catch (IllegalArgumentException ex) {
            // the variables' names only: their values may be secrets
            throw new InvalidConfigurationPropertyValueException("ipc.process-manager.environment",
                    children.getEnvironment().keySet(), ex.getMessage());
        }
        return builder.build();
    }

    @Bean
    ApplicationEventPoolListener ipcApplicationEventPoolListener(ApplicationEventPublisher publisher) {
        return new ApplicationEventPoolListener(publisher);
    }

    @Bean
    @ConditionalOnMissingBean(MessageBus.class)
    WorkerPools ipcWorkerPools(IpcWorkersProperties properties, ObjectProvider<JsonMapper> jsonMapper,
            ListenerRegistry listenerRegistry, ResourceLoader resourceLoader, ObjectProvider<PoolListener> listeners,
            ObjectProvider<ProcessOutput> output, ObjectProvider<PoolObserver> observer, ListableBeanFactory beanFactory,
            Environment environment, ObjectProvider<ApplicationArguments> applicationArguments) {
        List<PoolSettings> pools = SpringWorkerEnvironment.passOn(environment, sourceArguments(applicationArguments),
                new PoolSettingsFactory(resourceLoader.getClassLoader()).create(properties.getPools()),
                resourceLoader.getClassLoader());
        Duration connectTimeout = pools.stream().map(PoolSettings::startTimeout).max(Duration::compareTo)
            .orElse(Duration.ofSeconds(60));
        LauncherSettings launcher = new LauncherSettings(maxFrameLength(properties), connectTimeout,
                output.getIfAvailable(Slf4jProcessOutput::new), List.of(), properties.getClassDataSharing().getDirectory());
        JsonMapper applicationMapper = jsonMapper.getIfAvailable();
        if (applicationMapper != null) {
            PlainWorkerJsonCheck.warnIfDifferent(plainWorkerPools(pools, resourceLoader.getClassLoader()),
                    applicationMapper, beanFactory, resourceLoader.getClassLoader());
        }
        MessageCodec codec = new MessageCodec((applicationMapper != null) ? applicationMapper : DefaultJsonMapper.get());
        try {
            return new WorkerPools(pools, launcher, codec, listenerRegistry, listeners.orderedStream().toList(),
                    observer.getIfUnique());
        }
        catch (ClassDataDirectoryException ex) {
            // Boot's failure analyzer reports it with where the value came from
            throw new InvalidConfigurationPropertyValueException("ipc.class-data-sharing.directory",
                    properties.getClassDataSharing().getDirectory(), "It cannot be created (" + ex.getCause()
                            + "). Set it to a directory this application's user can create, or leave it unset.");
        }
    }

    @Bean
    @ConditionalOnBean(WorkerPools.class)
    WorkerPoolsLifecycle ipcWorkerPoolsLifecycle(WorkerPools pools, IpcWorkersProperties properties) {
        return new WorkerPoolsLifecycle(pools, properties.isAutoStartup());
    }

    /** What the application was started with; none for a context that no {@code SpringApplication} ran. */
    private static List<String> sourceArguments(ObjectProvider<ApplicationArguments> applicationArguments) {
        ApplicationArguments arguments = applicationArguments.getIfAvailable();
        return (arguments != null) ? List.of(arguments.getSourceArgs()) : List.of();
    }

    /** The pools whose worker class is not a Spring configuration (checked loadable by now). */
    private static List<String> plainWorkerPools(List<PoolSettings> pools, @Nullable ClassLoader classLoader) {
        return pools.stream()
            .filter((pool) -> !PoolSettingsFactory.isSpringWorkerPool(pool, classLoader))
            .map(PoolSettings::name)
            .toList();
    }

    private static Duration childStartTimeout(IpcWorkersProperties.ProcessManagerSettings children) {
        Duration timeout = children.getStartTimeout();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidConfigurationPropertyValueException("ipc.process-manager.start-timeout", timeout,
                    "It must be positive.");
        }
        return timeout;
    }

    private static Duration stopGracePeriod(IpcWorkersProperties.ProcessManagerSettings children) {
        Duration period = children.getStopGracePeriod();
        if (period.isNegative()) {
            throw new InvalidConfigurationPropertyValueException("ipc.process-manager.stop-grace-period", period,
                    "It must not be negative (0 kills children at once).");
        }
        return period;
    }

    private static int maxFrameLength(IpcWorkersProperties properties) {
        long bytes = properties.getMaxFrameLength().toBytes();
        if (bytes < 1024 || bytes > Integer.MAX_VALUE - 64) {
            // Boot's failure analyzer reports it with where the value came from
            throw new InvalidConfigurationPropertyValueException("ipc.max-frame-length", properties.getMaxFrameLength(),
                    "It must be between 1KB and 2GB.");
        }
        return (int) bytes;
    }
}
