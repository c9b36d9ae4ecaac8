package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.ProcessExitedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code redeliver} as the pool's delivery mode, a dead worker's messages go to another
 * worker, in the order the dead one was given them, within their requests' deadlines; a message that
 * kills each worker it reaches is dead-lettered after its redeliveries, alone.
 */
class RedeliveryTest extends FaultInjectionFixture {

    @Test
    void killMinusNineMidRequestRedeliversItWhenThePoolOptsIn() throws Exception {
        WorkerPool pool = start((settings) -> settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)));
        CompletableFuture<Long> request = pool.request("sleep", 1500, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);
        long victim = pool.currentWorkers().stream().filter((w) -> w.inFlight() == 1).findFirst().orElseThrow().getId();

        signal("KILL", victim);

        assertThat(request.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEqualTo(victim);
        assertThat(this.deadLetters).isEmpty();
        assertBackToSize(pool);
    }

    @Test
    void aDeadWorkersMessagesAreRedeliveredInTheOrderItWasGivenThem() throws Exception {
        WorkerPool pool = start((settings) -> oneWorker(settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3))));
        long victim = pool.workerPids().get(0);
        CompletableFuture<Long> head = pool.request("sleep", 2_000, Long.class);
        List<CompletableFuture<Integer>> behind = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            behind.add(pool.request("note", i, Integer.class)); // each tells the parent when it runs
        }

        signal("KILL", victim);

        assertThat(head.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEqualTo(victim);
        for (int i = 0; i < 40; i++) {
            assertThat(behind.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        await().atMost(WAIT).until(() -> this.noted.size() == 40);
        assertThat(this.noted).isEqualTo(IntStream.range(0, 40).boxed().toList());
        assertThat(this.deadLetters).isEmpty();
        assertThat(pool.restartCount()).isEqualTo(1);
    }

    @Test
    void requestWhoseDeadlinePassesWhileItWaitsToBeRedeliveredTimesOutAndIsNotRedelivered() throws Exception {
        // one worker, replaced only after 3 s: the request waits for it longer than its 1 s timeout
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), 1, settings.workerClass(),
                settings.jvmArgs(), settings.environment(), settings.routing(), settings.maxInFlight(),
                settings.maxWaiting(), Duration.ofSeconds(1), settings.acquireTimeout(), settings.startTimeout(),
                settings.stopTimeout(), restarting(Duration.ofSeconds(3), Duration.ofSeconds(3), 10, Duration.ofSeconds(2)),
                settings.recycling(), new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)));
        CompletableFuture<Long> request = pool.request("sleep", 30_000, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);

        signal("KILL", pool.workerPids().get(0));

        assertThat(failureOf(request)).isInstanceOf(IpcTimeoutException.class)
            .hasMessage("Request 'sleep' to pool 'faulty' got no reply within PT1S");
        assertThat(pool.usableWorkers()).as("timed out while waiting, before the replacement came").isEmpty();
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1
                && pool.deadlines().awaitingRedelivery() == 0);
        assertThat(pool.inFlight()).as("the replacement was not handed the timed-out request").isZero();
        assertThat(this.deadLetters).isEmpty();
    }

    @Test
    void messagesQueuedBehindAPoisonMessageAreNotDeadLetteredWithIt() throws Exception {
        // one worker: each replacement gets them all again, in their order, so all of them behind the poison
        WorkerPool pool = start((settings) -> oneWorker(settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 2))));
        CompletableFuture<Object> poison = pool.request("poison-later", "test", Object.class);
        List<CompletableFuture<Object>> behind = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            behind.add(pool.request("echo", i, Object.class));
        }

        assertThat(failureOf(poison)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("while request 'poison-later' was in flight after 3 deliveries");
        for (int i = 0; i < 30; i++) {
            assertThat(behind.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        assertThat(this.deadLetters.get(0).topic()).isEqualTo("poison-later");
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1);
        this.seenPids.addAll(pool.workerPids());
        assertThat(pool.restartCount()).isEqualTo(3);
    }

    @Test
    void poisonMessageIsDeadLetteredAfterItsRedeliveriesInsteadOfCrashLooping() throws Exception {
        WorkerPool pool = start((settings) -> settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 2)));
        List<CompletableFuture<Object>> healthy = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            healthy.add(pool.request("echo", i, Object.class));
        }
        CompletableFuture<Object> poison = pool.request("poison", "test", Object.class);

        assertThat(failureOf(poison)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("exited with code 13 while request 'poison' was in flight after 3 deliveries");
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        assertThat(this.deadLetters.get(0)).satisfies((letter) -> {
            assertThat(letter.topic()).isEqualTo("poison");
            assertThat(letter.deliveries()).isEqualTo(3);
            assertThat(letter.message().payloadAs(String.class)).isEqualTo("test");
        });
        for (int i = 0; i < 20; i++) {
            assertThat(healthy.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertBackToSize(pool);
        assertThat(pool.restartCount()).isEqualTo(3);
        assertThat(this.deadLetters).hasSize(1);
    }
}
