package io.ipcworkers.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.ipcworkers.autoconfigure.IpcWorkersAutoConfiguration;
import io.ipcworkers.pool.WorkerPool;
import io.ipcworkers.pool.WorkerPools;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;

/** A health indicator per pool, under {@code ipcWorkers}, when Spring Boot's health support is present. */
@AutoConfiguration(after = IpcWorkersAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(WorkerPools.class)
public final class IpcWorkersHealthAutoConfiguration {

    @Bean
    @ConditionalOnEnabledHealthIndicator("ipcworkers")
    @ConditionalOnMissingBean(name = "ipcWorkersHealthContributor")
    CompositeHealthContributor ipcWorkersHealthContributor(WorkerPools pools) {
        Map<String, WorkerPool> byName = new LinkedHashMap<>();
        pools.pools().forEach((pool) -> byName.put(pool.name(), pool));
        return CompositeHealthContributor.fromMap(byName, PoolHealthIndicator::new);
    }
}
