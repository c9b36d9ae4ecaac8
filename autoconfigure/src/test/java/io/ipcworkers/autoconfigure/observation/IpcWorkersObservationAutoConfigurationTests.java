package io.ipcworkers.autoconfigure.observation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import io.ipcworkers.MessageBus;
import io.ipcworkers.UnknownPoolException;
import io.ipcworkers.autoconfigure.IpcWorkersAutoConfiguration;
import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.pool.PoolObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Observations are made when asked for and an ObservationRegistry is there; the pools are never started here. */
class IpcWorkersObservationAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, IpcWorkersAutoConfiguration.class,
                IpcWorkersObservationAutoConfiguration.class))
        .withPropertyValues("ipc.auto-startup=false", "ipc.pools.plain.worker=" + PlainWorker.class.getName());

    @Test
    void theBusIsObservedWhenObservationIsEnabledAndARegistryIsPresent() {
        this.runner.withUserConfiguration(Registry.class).withPropertyValues("ipc.observation-enabled=true")
            .run((context) -> {
                assertThat(context).hasSingleBean(PoolObserver.class);
                assertThat(context.getBean(PoolObserver.class)).isInstanceOf(ObservingPoolObserver.class);
                // the pools were given it: a send to a pool that does not exist is observed, failing
                assertThatExceptionOfType(UnknownPoolException.class)
                    .isThrownBy(() -> context.getBean(MessageBus.class).send("nope", "resize", null));
                assertThat(context.getBean(TestObservationRegistry.class)).hasSingleObservationThat()
                    .hasNameEqualTo("ipc.bus")
                    .hasLowCardinalityKeyValue("ipc.pool", "nope")
                    .assertThatError().isInstanceOf(UnknownPoolException.class);
            });
    }

    @Test
    void nothingIsObservedByDefault() {
        this.runner.withUserConfiguration(Registry.class).run((context) -> {
            assertThat(context).doesNotHaveBean(PoolObserver.class);
            assertThatExceptionOfType(UnknownPoolException.class)
                .isThrownBy(() -> context.getBean(MessageBus.class).send("nope", "resize", null));
            assertThat(context.getBean(TestObservationRegistry.class)).doesNotHaveAnyObservation();
        });
    }

    @Test
    void nothingIsObservedWithoutARegistry() {
        this.runner.withPropertyValues("ipc.observation-enabled=true")
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PoolObserver.class));
    }

    @Test
    void nothingIsObservedWithoutMicrometerObservation() {
        this.runner.withUserConfiguration(Registry.class).withPropertyValues("ipc.observation-enabled=true")
            .withClassLoader(new FilteredClassLoader("io.micrometer.observation"))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PoolObserver.class));
    }

    @Test
    void conventionBeansReplaceTheDefaultOnes() {
        this.runner.withUserConfiguration(Registry.class, Conventions.class)
            .withPropertyValues("ipc.observation-enabled=true")
            .run((context) -> {
                assertThatExceptionOfType(UnknownPoolException.class)
                    .isThrownBy(() -> context.getBean(MessageBus.class).request("nope", "resize", null, String.class));
                assertThat(context.getBean(TestObservationRegistry.class)).hasSingleObservationThat()
                    .hasNameEqualTo("workers.bus");
            });
    }

    @Test
    void anObserverOfTheApplicationsOwnTakesThePlaceOfTheObservations() {
        this.runner.withUserConfiguration(Registry.class, OwnObserverConfiguration.class)
            .withPropertyValues("ipc.observation-enabled=true")
            .run((context) -> {
                assertThat(context).getBean(PoolObserver.class).isSameAs(context.getBean("ownObserver"));
                assertThatExceptionOfType(UnknownPoolException.class)
                    .isThrownBy(() -> context.getBean(MessageBus.class).broadcast("nope", "reload", null));
                assertThat(context.getBean(OwnObserver.class).sends).isEqualTo(1);
                assertThat(context.getBean(TestObservationRegistry.class)).doesNotHaveAnyObservation();
            });
    }

    @Test
    void bootsObservationSettingsTurnTheBusObservationsOffByName() {
        ApplicationContextRunner withBootsRegistry = this.runner
            .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
            .withUserConfiguration(Recording.class)
            .withPropertyValues("ipc.observation-enabled=true");
        withBootsRegistry.run((context) -> {
            assertThatExceptionOfType(UnknownPoolException.class)
                .isThrownBy(() -> context.getBean(MessageBus.class).send("nope", "resize", null));
            assertThat(context.getBean(Recording.class).started).containsExactly("ipc.bus");
        });
        withBootsRegistry.withPropertyValues("management.observations.enable.ipc.bus=false").run((context) -> {
            assertThatExceptionOfType(UnknownPoolException.class)
                .isThrownBy(() -> context.getBean(MessageBus.class).send("nope", "resize", null));
            assertThat(context.getBean(Recording.class).started).isEmpty();
        });
    }

    /** An observation handler, which Boot's registry is given, keeping the names of what it saw start. */
    @Configuration(proxyBeanMethods = false)
    static class Recording implements ObservationHandler<Observation.Context> {

        final List<String> started = new CopyOnWriteArrayList<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStart(Observation.Context context) {
            this.started.add(context.getName());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {

        @Bean
        TestObservationRegistry observationRegistry() {
            return TestObservationRegistry.create();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Conventions {

        @Bean
        IpcBusObservationConvention busConvention() {
            return new DefaultIpcBusObservationConvention() {

                @Override
                public String getName() {
                    return "workers.bus";
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnObserverConfiguration {

        @Bean
        OwnObserver ownObserver() {
            return new OwnObserver();
        }
    }

    static class OwnObserver implements PoolObserver {

        int sends;

        @Override
        public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
            this.sends++;
            return sending.applyAsInt(Map.of());
        }

        @Override
        public <T> CompletableFuture<T> request(String pool, String topic,
                Function<Map<String, String>, CompletableFuture<T>> requesting) {
            return requesting.apply(Map.of());
        }

        @Override
        public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                Callable<@Nullable Object> listening) throws Exception {
            return listening.call();
        }
    }
}
