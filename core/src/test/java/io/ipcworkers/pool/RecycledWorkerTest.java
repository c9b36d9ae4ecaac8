package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workers are recycled at their limits (messages handled, heap, resident memory) without failing
 * anything; the limits' own arithmetic is {@link WorkerRecyclingTest}'s.
 */
class RecycledWorkerTest extends FaultInjectionFixture {

    @Test
    void workersAreRecycledAfterTheirMessageCountWithoutFailingAnything() throws Exception {
        WorkerPool pool = start((settings) -> settings.withRecycling(new PoolSettings.Recycling(25, 0, 0, 0)));
        List<Long> first = pool.workerPids();
        List<CompletableFuture<Object>> replies = new ArrayList<>();
        int minimumUsable = Integer.MAX_VALUE;
        // until both first workers are replaced: how the requests spread over the two is routing's (a worker
        // starved of CPU gets fewer), so a fixed number may leave one short of its 25
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; pool.workerPids().stream().anyMatch(first::contains); i++) {
            assertThat(System.nanoTime() - deadline).as("both first workers recycled within 60 s").isNegative();
            replies.add(pool.request("echo", i, Object.class));
            minimumUsable = Math.min(minimumUsable, pool.usableWorkers().size());
            if (i % 20 == 0) {
                Thread.sleep(150);
            }
        }
        for (int i = 0; i < replies.size(); i++) {
            assertThat(replies.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(pool.recycleCount()).isGreaterThanOrEqualTo(2);
        assertThat(pool.restartCount()).isZero();
        assertThat(minimumUsable).as("no capacity dip").isEqualTo(2);
        assertThat(pool.workerPids()).doesNotContainAnyElementsOf(first);
        assertBackToSize(pool);
    }

    @Test
    void workerPastItsHeapLimitIsRecycled() throws Exception {
        WorkerPool pool = start((settings) -> settings.withRecycling(new PoolSettings.Recycling(0, 0, 24L << 20, 0)));
        List<Long> before = pool.workerPids();

        pool.send("retain", 30);

        await().atMost(WAIT).until(() -> pool.recycleCount() == 1);
        assertThat(pool.workerPids()).hasSize(2).containsAnyElementsOf(before)
            .doesNotContainSequence(before);
        assertBackToSize(pool);
    }

    @Test
    void workerPastItsResidentMemoryLimitIsRecycled() throws Exception {
        // a worker JVM with a serial GC starts well under 120 MB resident; retaining 120 MB of arrays takes it over
        WorkerPool pool = start((settings) -> settings.withJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC")).withRecycling(new PoolSettings.Recycling(0, 0, 0, 120L << 20)));
        List<Long> before = pool.workerPids();

        pool.send("retain", 120);

        await().atMost(WAIT).until(() -> pool.recycleCount() == 1);
        assertThat(pool.workerPids()).hasSize(2).containsAnyElementsOf(before).doesNotContainSequence(before);
        assertBackToSize(pool);
    }
}
