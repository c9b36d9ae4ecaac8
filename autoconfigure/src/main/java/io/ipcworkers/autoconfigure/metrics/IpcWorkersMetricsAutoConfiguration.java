package io.ipcworkers.autoconfigure.metrics;

import io.ipcworkers.autoconfigure.IpcWorkersAutoConfiguration;
import io.ipcworkers.pool.WorkerPools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics of worker pools, when Micrometer and a {@link MeterRegistry} are present. Runs
 * before the pools are created: {@link PoolMetrics} is one of their listeners.
 */
@AutoConfiguration(before = IpcWorkersAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnBean(MeterRegistry.class)
public final class IpcWorkersMetricsAutoConfiguration {

    @Bean
    PoolMetrics ipcPoolMetrics(MeterRegistry registry) {
        return new PoolMetrics(registry);
    }

    /** Bound once every singleton exists (Boot defers MeterBinders), so the pools can be looked up then. */
    @Bean
    MeterBinder ipcPoolGauges(ObjectProvider<WorkerPools> pools) {
        return (registry) -> pools.ifAvailable((available) -> new PoolGauges(available).bindTo(registry));
    }
}
