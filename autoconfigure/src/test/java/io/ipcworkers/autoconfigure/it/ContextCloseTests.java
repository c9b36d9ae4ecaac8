package io.ipcworkers.autoconfigure.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.ipcworkers.pool.WorkerPools;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing the application context leaves no worker JVM behind. */
class ContextCloseTests {

    @Test
    void closingTheContextStopsEveryWorker() throws Exception {
        SpringApplication application = new SpringApplication(SoloApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(Map.of("ipc.pools.solo.workers", "2", "ipc.pools.solo.worker",
                PlainWorker.class.getName(), "ipc.pools.solo.jvm-args", "-Xmx48m"));
        List<Long> pids;
        try (ConfigurableApplicationContext context = application.run()) {
            WorkerPools pools = context.getBean(WorkerPools.class);
            pids = pools.pool("solo").workerPids();
            assertThat(pids).hasSize(2).allMatch(ContextCloseTests::isAlive);
            assertThat(pools.request("solo", "double", 2, Integer.class).get()).isEqualTo(4);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pids.stream().noneMatch(ContextCloseTests::isAlive));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class SoloApplication {
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
