package io.ipcworkers.pool;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeapBudgetTest {

    private static final long GB = 1L << 30;

    @Test
    void heapsThatMayOutgrowTheMachineTogetherAreNamedPoolByPool() {
        // 24 GB: four workers without -Xmx take a quarter each, beside the application's quarter
        String warning = HeapBudget.overcommitted(24 * GB, 6 * GB, List.of(new HeapBudget.Share("thumbnails", 4, 6 * GB),
                new HeapBudget.Share("reports", 1, GB / 2)));

        assertThat(warning).isEqualTo("The heaps of this application and its pools' workers may grow to 31,232 MB together, "
                + "more than the 24,576 MB of memory the JVM sees (the application's up to 6,144 MB, pool 'thumbnails': 4 "
                + "workers up to 6,144 MB each, pool 'reports': 1 worker up to 512 MB). Under load the kernel's out-of-memory "
                + "killer may end one of them: give each pool's workers an -Xmx that fits, in its jvm-args (a JVM without "
                + "one takes a quarter of the memory, or what -XX:MaxRAMPercentage says)");
    }

    @Test
    void heapsThatFitSayNothing() {
        assertThat(HeapBudget.overcommitted(24 * GB, 6 * GB, List.of(new HeapBudget.Share("thumbnails", 3, 6 * GB)))).isNull();
        assertThat(HeapBudget.overcommitted(24 * GB, 6 * GB, List.of())).isNull();
    }

    @Test
    void whatAWorkerToldOfItsHeapCountsOnlyWhenItIsASize() {
        assertThat(ReadyFrame.maxHeapOf(Map.of("maxHeap", 67_108_864))).isEqualTo(67_108_864);
        assertThat(ReadyFrame.maxHeapOf(Map.of("maxHeap", 40 * GB))).isEqualTo(40 * GB);
        // untrusted: anything else is "not told", which leaves its pool out of the sum
        for (Object told : new Object[] { "64m", -1, 0, Long.MAX_VALUE, 1L << 48, 1.5e9, BigInteger.TEN.pow(30), List.of(1) }) {
            assertThat(ReadyFrame.maxHeapOf(Map.of("maxHeap", told))).as("%s", told).isEqualTo(-1);
        }
        assertThat(ReadyFrame.maxHeapOf(Map.of())).isEqualTo(-1);
    }
}
