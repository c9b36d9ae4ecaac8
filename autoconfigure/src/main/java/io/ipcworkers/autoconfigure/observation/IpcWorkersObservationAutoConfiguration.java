package io.ipcworkers.autoconfigure.observation;

import io.ipcworkers.autoconfigure.IpcWorkersAutoConfiguration;
import io.ipcworkers.pool.PoolObserver;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer observations of the message bus and the listeners, when {@code ipc.observation-enabled}
 * is true and an {@link ObservationRegistry} is present (Spring Boot makes one with the actuator). Runs
 * before the pools are created: they take the {@link PoolObserver}. In a Spring worker's context it
 * makes the one the worker's listener calls run in, continuing the traces the parent's messages carry.
 */
@AutoConfiguration(before = IpcWorkersAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
@ConditionalOnBooleanProperty("ipc.observation-enabled")
@ConditionalOnBean(ObservationRegistry.class)
public final class IpcWorkersObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(PoolObserver.class)
    PoolObserver ipcPoolObserver(ObservationRegistry registry, ObjectProvider<IpcBusObservationConvention> busConvention,
            ObjectProvider<IpcListenerObservationConvention> listenerConvention) {
        return new ObservingPoolObserver(registry, busConvention.getIfUnique(), listenerConvention.getIfUnique());
    }
}
