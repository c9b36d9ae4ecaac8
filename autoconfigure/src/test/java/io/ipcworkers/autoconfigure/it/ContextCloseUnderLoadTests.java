package io.ipcworkers.autoconfigure.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipcworkers.MessageBus;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.pool.WorkerPools;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing the context while callers hammer the bus: every request gets an answer or a clear failure. */
class ContextCloseUnderLoadTests {

    @Test
    void everyRequestCompletesOrFailsClearlyAndNoWorkerSurvives() throws Exception {
        SpringApplication application = new SpringApplication(LoadApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(Map.of("ipc.pools.busy.workers", "2", "ipc.pools.busy.worker",
                PlainWorker.class.getName(), "ipc.pools.busy.jvm-args", "-Xmx48m", "ipc.pools.busy.stop-timeout", "5s"));
        ConfigurableApplicationContext context = application.run();
        MessageBus bus = context.getBean(MessageBus.class);
        List<Long> pids = context.getBean(WorkerPools.class).pool("busy").workerPids();
        ConcurrentLinkedQueue<CompletableFuture<Integer>> requests = new ConcurrentLinkedQueue<>();
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        AtomicInteger accepted = new AtomicInteger();
        List<Thread> callers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread caller = new Thread(() -> {
                for (int n = 0; !Thread.currentThread().isInterrupted(); n++) {
                    try {
                        requests.add(bus.request("busy", "double", n, Integer.class));
                        bus.send("busy", "double", n);
                        accepted.incrementAndGet();
                    }
                    catch (RuntimeException ex) {
                        refused.add(ex);
                        return;
                    }
                }
            });
            callers.add(caller);
            caller.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> accepted.get() > 2000);

        context.close();
        for (Thread caller : callers) {
            caller.interrupt();
            caller.join(10_000);
        }

        assertThat(refused).allSatisfy((ex) -> assertThat(ex).isInstanceOf(PoolUnavailableException.class)
            .hasMessageContaining("Pool 'busy' is"));
        int answered = 0;
        for (CompletableFuture<Integer> request : requests) {
            assertThat(request).as("no request is left hanging").succeedsWithin(Duration.ofSeconds(1));
            answered++;
        }
        assertThat(answered).isGreaterThan(2000);
        await().atMost(Duration.ofSeconds(5)).until(() -> pids.stream()
            .noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class LoadApplication {
    }
}
