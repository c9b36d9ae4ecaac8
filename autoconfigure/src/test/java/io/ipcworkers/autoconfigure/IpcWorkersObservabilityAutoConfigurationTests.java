package io.ipcworkers.autoconfigure;

import io.ipcworkers.MessageBus;
import io.ipcworkers.autoconfigure.actuate.IpcWorkersEndpoint;
import io.ipcworkers.autoconfigure.actuate.IpcWorkersEndpointAutoConfiguration;
import io.ipcworkers.autoconfigure.actuate.IpcWorkersEndpointWebExtension;
import io.ipcworkers.autoconfigure.health.IpcWorkersHealthAutoConfiguration;
import io.ipcworkers.autoconfigure.metrics.IpcWorkersMetricsAutoConfiguration;
import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.autoconfigure.metrics.PoolMetrics;
import io.ipcworkers.pool.WorkerPools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The endpoint, health and metrics are each active only when their library is present. */
class IpcWorkersObservabilityAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, IpcWorkersAutoConfiguration.class,
                IpcWorkersEndpointAutoConfiguration.class, IpcWorkersHealthAutoConfiguration.class,
                IpcWorkersMetricsAutoConfiguration.class, MetricsAutoConfiguration.class))
        .withUserConfiguration(Registry.class)
        .withPropertyValues("ipc.auto-startup=false", "ipc.pools.plain.worker=" + PlainWorker.class.getName(),
                "management.endpoints.web.exposure.include=ipcworkers");

    @Test
    void registersEndpointHealthAndMetricsWhenTheirLibrariesArePresent() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(IpcWorkersEndpoint.class)
                .hasSingleBean(IpcWorkersEndpointWebExtension.class)
                .hasBean("ipcWorkersHealthContributor")
                .hasSingleBean(PoolMetrics.class);
            assertThat(context.getBean(MeterRegistry.class).find("ipc.workers.running").tag("pool", "plain").gauge())
                .isNotNull();
        });
    }

    @Test
    void healthHasOneIndicatorPerPool() {
        this.runner.withPropertyValues("ipc.pools.other.worker=" + PlainWorker.class.getName()).run((context) -> {
            CompositeHealthContributor health = context.getBean("ipcWorkersHealthContributor",
                    CompositeHealthContributor.class);
            assertThat(health.getContributor("plain")).isNotNull();
            assertThat(health.getContributor("other")).isNotNull();
        });
    }

    @Test
    void aPoolNotStartedYetIsOfUnknownHealthAndAStoppedOneOutOfService() {
        this.runner.run((context) -> {
            HealthIndicator plain = (HealthIndicator) context.getBean("ipcWorkersHealthContributor",
                    CompositeHealthContributor.class).getContributor("plain");
            Health notStarted = plain.health();
            assertThat(notStarted.getStatus()).isEqualTo(Status.UNKNOWN);
            assertThat(notStarted.getDetails()).containsEntry("state", "NEW").containsEntry("workers", "0/1");

            context.getBean(WorkerPools.class).close();
            Health stopped = plain.health();
            assertThat(stopped.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(stopped.getDetails()).containsEntry("state", "STOPPED");
        });
    }

    @Test
    void aPoolThatIsNotRunningIsNotRestartedThroughTheEndpointAndSaysWhy() {
        this.runner.run((context) -> {
            IpcWorkersEndpointWebExtension endpoint = context.getBean(IpcWorkersEndpointWebExtension.class);

            WebEndpointResponse<Object> notStarted = endpoint.restart("plain", null);
            assertThat(notStarted.getStatus()).isEqualTo(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
            assertThat(notStarted.getBody()).isEqualTo(new IpcWorkersEndpointWebExtension.RestartFailure("plain",
                    "Pool 'plain' is new; only a running or down pool can be restarted"));

            context.getBean(WorkerPools.class).close();
            assertThat(endpoint.restart("plain", null).getBody()).isEqualTo(new IpcWorkersEndpointWebExtension
                .RestartFailure("plain", "Pool 'plain' is stopped; only a running or down pool can be restarted"));
        });
    }

    @Test
    void noEndpointWithoutActuator() {
        this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(IpcWorkersEndpoint.class)
                .hasSingleBean(MessageBus.class));
    }

    @Test
    void theEndpointOverJmxOnlyHasNoWebExtension() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=health",
                "management.endpoints.jmx.exposure.include=ipcworkers", "spring.jmx.enabled=true")
            .run((context) -> assertThat(context).hasSingleBean(IpcWorkersEndpoint.class)
                .doesNotHaveBean(IpcWorkersEndpointWebExtension.class));
    }

    @Test
    void noEndpointUnlessExposed() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IpcWorkersAutoConfiguration.class,
                    IpcWorkersEndpointAutoConfiguration.class, IpcWorkersHealthAutoConfiguration.class,
                    IpcWorkersMetricsAutoConfiguration.class))
            .withPropertyValues("ipc.auto-startup=false")
            .run((context) -> assertThat(context).doesNotHaveBean(IpcWorkersEndpoint.class));
    }

    @Test
    void noHealthWithoutSpringBootHealth() {
        this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean("ipcWorkersHealthContributor")
                .hasSingleBean(IpcWorkersEndpoint.class));
    }

    @Test
    void noHealthWhenItsIndicatorIsDisabled() {
        this.runner.withPropertyValues("management.health.ipcworkers.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean("ipcWorkersHealthContributor"));
    }

    @Test
    void noMetricsWithoutMicrometer() {
        this.runner.withClassLoader(new FilteredClassLoader("io.micrometer"))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PoolMetrics.class)
                .doesNotHaveBean("ipcPoolGauges").hasSingleBean(MessageBus.class));
    }

    @Test
    void noMetricsWithoutAMeterRegistry() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IpcWorkersAutoConfiguration.class,
                    IpcWorkersEndpointAutoConfiguration.class, IpcWorkersHealthAutoConfiguration.class,
                    IpcWorkersMetricsAutoConfiguration.class))
            .withPropertyValues("ipc.auto-startup=false")
            .run((context) -> assertThat(context).doesNotHaveBean(PoolMetrics.class).doesNotHaveBean("ipcPoolGauges"));
    }

    @Test
    void poolsWorkWithNoObservabilityLibraryAtAll() {
        this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
                "org.springframework.boot.health", "io.micrometer"))
            .run((context) -> assertThat(context).hasNotFailed().hasSingleBean(MessageBus.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }
}
