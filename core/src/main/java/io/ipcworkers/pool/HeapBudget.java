package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Warns, once the pools have started, when the heaps the application's JVM and its workers may grow to
 * add up to more than the machine's memory (a container's limit, where the JVM sees one). A worker with
 * no {@code -Xmx} takes the JVM's default, a quarter of that memory (or what an inherited
 * {@code -XX:MaxRAMPercentage} says), so four such workers beside the application can already ask for
 * more than there is; nothing fails until a busy moment, when the kernel's out-of-memory killer ends
 * one of them.
 */
final class HeapBudget {

    private static final System.Logger logger = System.getLogger(HeapBudget.class.getName());

    private HeapBudget() {
    }

    /** One pool's part: its workers and the most heap each may take. */
    record Share(String pool, int workers, long maxHeapEach) {
    }

    static void check(Collection<WorkerPool> pools) {
        long machine = machineMemory();
        long application = Runtime.getRuntime().maxMemory();
        if (machine <= 0 || application == Long.MAX_VALUE) {
            return;
        }
        List<Share> shares = new ArrayList<>();
        for (WorkerPool pool : pools) {
            long largest = -1;
            List<PoolWorker> workers = pool.currentWorkers();
            for (PoolWorker worker : workers) {
                largest = Math.max(largest, worker.maxHeap());
            }
            if (largest > 0) {
                shares.add(new Share(pool.name(), workers.size(), largest));
            }
        }
        String warning = overcommitted(machine, application, shares);
        if (warning != null) {
            logger.log(Level.WARNING, warning);
        }
    }

    /** What to warn of, or null when the heaps fit in the machine's memory. */
    static @Nullable String overcommitted(long machine, long application, List<Share> shares) {
        long total = application;
        StringBuilder parts = new StringBuilder("the application's up to ").append(megabytes(application));
        for (Share share : shares) {
            total += share.workers() * share.maxHeapEach();
            parts.append(", pool '").append(share.pool()).append("': ").append(share.workers())
                .append(share.workers() == 1 ? " worker" : " workers").append(" up to ")
                .append(megabytes(share.maxHeapEach())).append(share.workers() == 1 ? "" : " each");
        }
        if (total <= machine) {
            return null;
        }
        return "The heaps of this application and its pools' workers may grow to " + megabytes(total)
                + " together, more than the " + megabytes(machine) + " of memory the JVM sees (" + parts + "). Under load "
                + "the kernel's out-of-memory killer may end one of them: give each pool's workers an -Xmx that fits, in "
                + "its jvm-args (a JVM without one takes a quarter of the memory, or what -XX:MaxRAMPercentage says)";
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes >> 20);
    }

    /** The machine's memory, or the container's limit; 0 where the JVM does not say. */
    private static long machineMemory() {
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            return (os instanceof com.sun.management.OperatingSystemMXBean sun) ? sun.getTotalMemorySize() : 0;
        }
        catch (RuntimeException | LinkageError ex) {
            return 0; // no jdk.management module in a trimmed runtime
        }
    }
}
