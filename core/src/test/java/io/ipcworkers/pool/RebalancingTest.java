package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import static io.ipcworkers.pool.TestPools.QUICK_RESTART;
import static io.ipcworkers.pool.TestPools.handledByPool;
import static io.ipcworkers.pool.TestPools.jobsByWorker;
import static io.ipcworkers.pool.TestPools.sendAlternately;
import static io.ipcworkers.pool.TestPools.settleTypicalTime;
import static io.ipcworkers.pool.TestPools.sleeps;
import static io.ipcworkers.pool.TestPools.twoWorkers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages queued at a busy worker move to one that goes idle: a replacement, a crashed worker's
 * replacement, or the other worker once it has done its short jobs.
 */
class RebalancingTest {

    @Test
    void aReplacementTakesOverTheQueueOfTheWorkerItReplacesInsteadOfWaitingIdle() throws Exception {
        AtomicInteger reportedMoved = new AtomicInteger();
        PoolListener counting = new PoolListener() {
            @Override
            public void messagesMoved(String pool, int count) {
                reportedMoved.addAndGet(count);
            }
        };
        try (WorkerPools busy = twoWorkers(UnaryOperator.identity(), counting)) {
            WorkerPool pool = busy.pool("busy");
            List<CompletableFuture<Long>> jobs = sleeps(busy, 8, 600); // four for each worker
            long replaced = pool.workerPids().get(0);
            assertThat(pool.restartWorker(replaced)).isTrue(); // once the replacement is ready
            long replacement = pool.workerPids().get(0);

            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            // routed once, when sent, the four ran where they were sent, and the replacement waited idle
            assertThat(jobsByWorker.getOrDefault(replacement, 0)).isPositive();
            assertThat(jobsByWorker.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
            assertThat(pool.inFlight()).isZero();
            assertThat((long) reportedMoved.get()).as("moves reported to the pool's listeners")
                .isPositive().isEqualTo(pool.snapshot().messagesMoved());
        }
    }

    @Test
    void aCrashedWorkersReplacementTakesAShareOfWhatWasRedeliveredToTheOther() throws Exception {
        try (WorkerPools busy = twoWorkers((settings) -> settings.withSupervision(QUICK_RESTART)
            .withDelivery(new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)))) {
            WorkerPool pool = busy.pool("busy");
            List<CompletableFuture<Long>> jobs = sleeps(busy, 8, 600);
            long crashed = pool.workerPids().get(0);
            Thread.sleep(100);
            ProcessHandle.of(crashed).ifPresent(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> pool.usableWorkers().size() == 2 && !pool.workerPids().contains(crashed));
            long replacement = pool.workerPids().get(0);

            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            // its four went to the only worker left, behind that one's own four
            assertThat(jobsByWorker.getOrDefault(replacement, 0)).isPositive();
            assertThat(jobsByWorker).doesNotContainKey(crashed);
            assertThat(jobsByWorker.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void longRequestsQueuedAtOneWorkerAreSharedWithTheOtherOnceItHasDoneItsShortOnes() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            WorkerPool pool = busy.pool("busy");
            settleTypicalTime(busy, 1);
            // sent at once, they alternate between the two workers: one gets the long ones
            List<CompletableFuture<Long>> longOnes = new ArrayList<>();
            List<CompletableFuture<Long>> shortOnes = new ArrayList<>();
            sendAlternately(busy, 10, 150, longOnes, shortOnes);

            assertThat(jobsByWorker(longOnes)).hasSize(2); // one only without rebalancing: checked
            assertThat(jobsByWorker(shortOnes).values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
            assertThat(pool.snapshot().messagesMoved()).isPositive();
            assertThat(pool.restartCount()).isZero();
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void longSendsQueuedAtOneWorkerAreSharedWithTheOtherAsSoonAsItHasDoneItsShortOnes() throws Exception {
        // the periodic look comes each heartbeat interval: 20 s here, long after the queue has run out
        PoolSettings.Supervision slowHeartbeat = new PoolSettings.Supervision(Duration.ofSeconds(1), Duration.ofSeconds(30),
                10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ZERO);
        try (WorkerPools busy = twoWorkers((settings) -> settings.withSupervision(slowHeartbeat))) {
            WorkerPool pool = busy.pool("busy");
            settleTypicalTime(busy, 1);
            long handledBefore = handledByPool(pool);
            // sent at once, they alternate between the two workers: one gets the long ones
            for (int i = 0; i < 10; i++) {
                busy.send("busy", "sleep", 150);
                busy.send("busy", "sleep", 1);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(handledByPool(pool) - handledBefore).isEqualTo(20);
            // the worker done with its short ones took some of the long ones (none without the look it prompts: checked)
            assertThat(pool.snapshot().messagesMoved()).isPositive();
            assertThat(pool.restartCount()).isZero();
        }
    }
}
