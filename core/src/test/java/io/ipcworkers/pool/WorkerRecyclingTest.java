package io.ipcworkers.pool;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When recycling finds one worker due, and how it claims and lets go of it; no process involved. */
class WorkerRecyclingTest {

    @Test
    void eachWorkersMessageLimitIsThePoolsSpreadWithinItsJitter() {
        Set<Long> limits = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            limits.add(messageLimitOf(new WorkerRecycling(new PoolSettings.Recycling(1_000, 0.2, 0, 0))));
        }
        assertThat(limits).allSatisfy((limit) -> assertThat(limit).isBetween(800L, 1_200L));
        assertThat(limits).as("workers started together must not all recycle together").hasSizeGreaterThan(20);
        assertThat(messageLimitOf(new WorkerRecycling(new PoolSettings.Recycling(1_000, 0, 0, 0)))).isEqualTo(1_000);
    }

    @Test
    void aLimitOfOneMessageIsNeverSpreadToNone() {
        assertThat(IntStream.range(0, 100)
            .mapToLong((i) -> messageLimitOf(new WorkerRecycling(new PoolSettings.Recycling(1, 1.0, 0, 0)))))
            .allSatisfy((limit) -> assertThat(limit).isBetween(1L, 2L));
    }

    @Test
    void withoutAMessageLimitAWorkerIsDueByItsMemoryOnly() {
        WorkerRecycling recycling = new WorkerRecycling(new PoolSettings.Recycling(0, 0.1, 1_000, 5_000));
        assertThat(recycling.dueReason(Long.MAX_VALUE, 1_000, 5_000)).isNull();
        assertThat(recycling.dueReason(0, 1_001, 0)).isEqualTo("heap use of 1001 bytes passed 1000");
        assertThat(recycling.dueReason(0, 0, 5_001)).isEqualTo("resident memory of 5001 bytes passed 5000");
    }

    @Test
    void aWorkerIsClaimedOnceAndLeftAloneForTheRetryAfterItsReplacementFailed() throws InterruptedException {
        WorkerRecycling recycling = new WorkerRecycling(PoolSettings.Recycling.NEVER);
        assertThat(recycling.mayTryNow()).isTrue();
        assertThat(recycling.claim()).isTrue();
        assertThat(recycling.claim()).isFalse();
        recycling.abort(Duration.ofSeconds(30));
        assertThat(recycling.mayTryNow()).isFalse();
        assertThat(recycling.claim()).as("a restart asked for by hand may still claim it").isTrue();
        recycling.abort(Duration.ofMillis(50));
        Thread.sleep(100);
        assertThat(recycling.mayTryNow()).isTrue();
    }

    /** The smallest message count the worker is due at. */
    private static long messageLimitOf(WorkerRecycling recycling) {
        long low = 1;
        long high = 1L << 40;
        while (low < high) {
            long middle = (low + high) >>> 1;
            if (recycling.dueReason(middle, 0, 0) != null) {
                high = middle;
            }
            else {
                low = middle + 1;
            }
        }
        return low;
    }
}
