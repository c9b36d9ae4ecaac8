package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonValue;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import org.junit.jupiter.api.Test;

import static io.ipcworkers.pool.TestPools.jobsByWorker;
import static io.ipcworkers.pool.TestPools.launcher;
import static io.ipcworkers.pool.TestPools.settleTypicalTime;
import static io.ipcworkers.pool.TestPools.twoWorkers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a pool picks the worker for each message: in turn, or the least busy one by its estimated wait,
 * and the snapshot of what each worker is on that the estimate comes from.
 */
class RoutingTest {

    @Test
    void roundRobinRoutingGivesEachWorkerItsTurnEvenWhileItIsBusy() throws Exception {
        LauncherSettings launcher = launcher();
        try (WorkerPools turns = new WorkerPools(List.of(PoolSettings.of("turns", 2, EchoWorker.class.getName())
            .withRouting(Routing.ROUND_ROBIN)), launcher, MessageCodec.withDefaultMapper(), ListenerRegistry.forParent())) {
            turns.start();
            CompletableFuture<Long> sleeping = turns.request("turns", "sleep", 500, Long.class);
            long other = turns.request("turns", "pid", null, Long.class).get(10, TimeUnit.SECONDS);
            // least-busy would pick the idle worker again; round-robin queues it behind the sleeping one
            CompletableFuture<Long> third = turns.request("turns", "pid", null, Long.class);

            long sleeper = sleeping.get(10, TimeUnit.SECONDS);
            assertThat(other).isNotEqualTo(sleeper);
            assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo(sleeper);
        }
    }

    @Test
    void leastBusyRoutingPassesOverAWorkerWhoseListenerHasRunLongWhileTheOtherHasAShortQueue() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            settleTypicalTime(busy, 2);
            CompletableFuture<Long> sleeping = busy.request("busy", "sleep", 4_000, Long.class);
            Thread.sleep(300);
            // sent at once, the short ones queue up on the other worker; counting messages alone sent
            // every other one to the sleeping worker once the two had as many
            List<CompletableFuture<Long>> quick = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                quick.add(busy.request("busy", "sleep", 20, Long.class));
            }
            Set<Long> quickPids = new HashSet<>();
            for (CompletableFuture<Long> each : quick) {
                quickPids.add(each.get(10, TimeUnit.SECONDS));
            }
            assertThat(sleeping).isNotDone();
            long sleeper = sleeping.get(10, TimeUnit.SECONDS);
            assertThat(quickPids).hasSize(1).doesNotContain(sleeper);
        }
    }

    @Test
    void leastBusyRoutingSpreadsRequestsSentAtOnceAlthoughTheFirstTookLongToWrite() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            settleTypicalTime(busy, 20);
            // the first runs from when it is written: its 200 ms of serializing are no listener running long
            List<CompletableFuture<Long>> jobs = new ArrayList<>();
            jobs.add(busy.request("busy", "sleep", new SlowToWrite(400), Long.class));
            for (int i = 1; i < 8; i++) {
                jobs.add(busy.request("busy", "sleep", 400, Long.class));
            }
            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            assertThat(jobsByWorker.values()).containsExactly(4, 4);
        }
    }

    @Test
    void leastBusyRoutingSpreadsLongRequestsSentApartToAPoolThatHasTimedOnlyShortOnes() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            settleTypicalTime(busy, 1);
            // each listener has run long past the typical time when the next is sent: with the messages
            // queued behind a long one counted at the typical time, the first worker's looked longest and
            // the second got all but the first
            List<CompletableFuture<Long>> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                if (i > 0) {
                    Thread.sleep(40);
                }
                jobs.add(busy.request("busy", "sleep", 300, Long.class));
            }
            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            assertThat(jobsByWorker).hasSize(2);
            assertThat(jobsByWorker.values()).allSatisfy((count) -> assertThat(count).isGreaterThanOrEqualTo(2));
        }
    }

    @Test
    void theSnapshotNamesTheMessageEachWorkerIsOnAndHowLongItHasRunAndThePoolsTypicalTimePerMessage() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            WorkerPool pool = busy.pool("busy");
            assertThat(pool.snapshot().typicalMessageMillis()).as("before any message").isNull();
            long sent = System.nanoTime();
            CompletableFuture<Long> longOne = busy.request("busy", "sleep", 3000, Long.class);

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().workers().stream()
                .anyMatch((worker) -> worker.currentMillis() >= 500));
            PoolSnapshot during = pool.snapshot();
            long sinceSent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            PoolSnapshot.WorkerSnapshot sleeping = during.workers().stream()
                .filter((worker) -> worker.currentTopic() != null).findFirst().orElseThrow();
            PoolSnapshot.WorkerSnapshot other = during.workers().stream()
                .filter((worker) -> worker != sleeping).findFirst().orElseThrow();
            assertThat(sleeping.currentTopic()).isEqualTo("sleep");
            assertThat(sleeping.currentMillis()).isGreaterThanOrEqualTo(500)
                .isLessThanOrEqualTo(sinceSent); // its message's run, not the worker's uptime
            assertThat(other.currentTopic()).isNull();
            assertThat(other.currentMillis()).isZero();

            assertThat(longOne.get(10, TimeUnit.SECONDS)).isEqualTo(sleeping.pid());
            assertThat(pool.snapshot().workers()).allSatisfy((worker) -> {
                assertThat(worker.currentTopic()).isNull();
                assertThat(worker.currentMillis()).isZero();
            });
            // the pool's only message so far, from its send to the idle worker to its acknowledgement
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().typicalMessageMillis() != null);
            assertThat(pool.snapshot().typicalMessageMillis()).isGreaterThanOrEqualTo(3000.0);
        }
    }

    /** A number that takes a while to serialize, as a payload type's first serialization can. */
    public static final class SlowToWrite {

        private final long value;

        SlowToWrite(long value) {
            this.value = value;
        }

        @JsonValue
        public long value() throws InterruptedException {
            Thread.sleep(200);
            return this.value;
        }
    }
}
