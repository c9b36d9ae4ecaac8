package io.ipcworkers.autoconfigure.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.IpcListener;
import io.ipcworkers.MessageBus;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code spring.main.lazy-initialization=true} in the parent and in a Spring worker: nothing asks for
 * a bean with listeners, yet each is created, and its listeners hear their messages.
 */
class LazyInitializationIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void beansWithListenersAreCreatedInTheParentAndInASpringWorkerUnderLazyInitialization() throws Exception {
        SpringApplication application = new SpringApplication(ParentApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(Map.of("spring.main.lazy-initialization", "true",
                "ipc.pools.lazy.worker", SpringWorkerConfig.class.getName(),
                "ipc.pools.lazy.jvm-args", "-Xmx96m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
                // a worker reads its own environment, not these defaults: lazy there too
                "ipc.pools.lazy.environment.SPRING_MAIN_LAZYINITIALIZATION", "true",
                "ipc.pools.lazy.environment.GREETING_FAREWELL", "farewell"));

        try (ConfigurableApplicationContext context = application.run()) {
            assertThat(context.getBeanFactory().containsSingleton("greetings")).as("created at start-up").isTrue();

            // the worker's one bean has listeners only: without it the worker would have failed to start
            String greeting = context.getBean(MessageBus.class).request("lazy", "greet", "Ada", String.class)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(greeting).startsWith("Hello, Ada (parent ");
            Greetings greetings = context.getBean(Greetings.class);
            await().atMost(WAIT).until(() -> greetings.names.contains("Ada"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ParentApp {

        @Bean
        Greetings greetings() {
            return new Greetings();
        }
    }

    /** What the worker's listener tells the parent it greeted. */
    static class Greetings {

        final List<String> names = new CopyOnWriteArrayList<>();

        @IpcListener("greeted")
        public void greeted(String name) {
            this.names.add(name);
        }
    }
}
