package io.ipcworkers.pool;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Processes;
import io.ipcworkers.WorkerSockets;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static io.ipcworkers.pool.TestPools.launcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * What pools check when they are built and started (settings that could never work, listeners for
 * pools that do not exist, heaps that may outgrow the machine, a worker class with no listener of its
 * pool), and what a stop waits for.
 */
class PoolLifecycleTest {

    @Test
    void poolsThatCouldNeverWorkAreRefusedWhenBuiltAndLeaveNothingOpen() {
        LauncherSettings launcher = launcher();
        Set<Thread> acceptingBefore = WorkerSockets.acceptingThreads();

        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerPools(List.of(PoolSettings.of("broken", 1,
                BrokenListenerWorker.class.getName())), launcher, MessageCodec.withDefaultMapper(), ListenerRegistry.forParent()))
            .withMessageContaining("@IpcListener method " + BrokenListenerWorker.class.getName()
                    + ".both(String, String) has more than one payload parameter");
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerPools(List.of(PoolSettings.of("twice", 1,
                EchoWorker.class.getName()), PoolSettings.of("twice", 2, EchoWorker.class.getName())), launcher,
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent()))
            .withMessage("Two pools are named 'twice'");
        await().atMost(Duration.ofSeconds(10)).until(() -> acceptingBefore.containsAll(WorkerSockets.acceptingThreads()));
    }

    @Test
    void aParentListenerForAPoolThatDoesNotExistIsWarnedOfAtStart() {
        ListenerRegistry registry = ListenerRegistry.forParent();
        registry.registerAnnotatedMethods(new MisspeltPoolListener());
        LauncherSettings launcher = launcher();
        List<String> logged;
        try (CapturedLog log = new CapturedLog(WorkerPools.class);
                WorkerPools none = new WorkerPools(List.of(), launcher, MessageCodec.withDefaultMapper(), registry)) {
            none.start();
            logged = log.messages();
        }

        assertThat(logged).containsExactly("@IpcListener "
                + MisspeltPoolListener.class.getName() + ".step(String) takes messages of pool 'ehco' only, but no "
                + "pool has that name (pools: []), so it will never be called");
    }

    public static class MisspeltPoolListener {

        @IpcListener(topics = "step", pool = "ehco")
        public void step(String step) {
        }

        @IpcListener("any")
        public void any(String message) {
        }
    }

    @Test
    void aStopReturnsOnceThePoolHasRecordedEachWorkersExit() {
        List<String> exits = new CopyOnWriteArrayList<>();
        PoolListener slowToTell = new PoolListener() {

            @Override
            public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String description) {
                try {
                    Thread.sleep(300); // the worker's reader tells this after the process has gone
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                exits.add(worker + " " + cause);
            }
        };
        WorkerPools stopping = new WorkerPools(List.of(PoolSettings.of("stopping", 2, EchoWorker.class.getName())), launcher(),
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent(), List.of(slowToTell));
        try (stopping) {
            stopping.start();
            WorkerPool pool = stopping.pool("stopping");
            List<Long> pids = pool.workerPids();

            stopping.stop();

            assertThat(pids).hasSize(2).noneMatch(Processes::isAlive);

            assertThat(exits).containsExactlyInAnyOrder("stopping-1 stopped", "stopping-2 stopped");
            assertThat(pool.snapshot().workers()).extracting(PoolSnapshot.WorkerSnapshot::state).containsExactly("stopped",
                    "stopped");
        }
    }

    @Test
    void workersWhoseHeapsMayOutgrowTheMachineAreWarnedOfAtStartFromWhatTheyTold() {
        long machineMegabytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize() >> 20;
        List<String> snug;
        try (CapturedLog log = new CapturedLog(HeapBudget.class);
                WorkerPools pool = new WorkerPools(List.of(PoolSettings.of("snug", 1, EchoWorker.class.getName())), launcher(),
                        MessageCodec.withDefaultMapper(), ListenerRegistry.forParent())) {
            pool.start();
            snug = log.messages();
        }
        assertThat(snug).isEmpty();

        // a heap the JVM reserves, not takes: a worker with more than the machine starts all the same
        PoolSettings roomy = PoolSettings.of("roomy", 1, EchoWorker.class.getName())
            .withJvmArgs(List.of("-Xmx" + (machineMegabytes + 1024) + "m"));
        List<String> warned;
        @Nullable Long inSnapshot;
        try (CapturedLog log = new CapturedLog(HeapBudget.class);
                WorkerPools pool = new WorkerPools(List.of(roomy), launcher(), MessageCodec.withDefaultMapper(),
                        ListenerRegistry.forParent())) {
            pool.start();
            warned = log.messages();
            inSnapshot = pool.pool("roomy").snapshot().workers().get(0).maxHeapBytes();
        }
        assertThat(warned).singleElement().asString()
            .startsWith("The heaps of this application and its pools' workers may grow to ")
            .contains(String.format(Locale.ROOT, "more than the %,d MB of memory the JVM sees", machineMegabytes));
        Matcher told = Pattern.compile("pool 'roomy': 1 worker up to ([0-9,]+) MB\\)").matcher(warned.get(0));
        assertThat(told.find()).as(warned.get(0)).isTrue();
        // the JVM rounds the heap up to its regions
        assertThat(Long.parseLong(told.group(1).replace(",", ""))).isBetween(machineMegabytes + 1024,
                machineMegabytes + 1024 + 256);
        assertThat(inSnapshot).isNotNull();
        assertThat(inSnapshot >> 20).isBetween(machineMegabytes + 1024, machineMegabytes + 1024 + 256);
    }

    @Test
    void aWorkerClassWithListenersForOtherPoolsOnlyCannotStartAPoolOfItsOwn() {
        LauncherSettings launcher = launcher();
        WorkerPools lonely = new WorkerPools(List.of(PoolSettings.of("lonely", 1, OtherPoolsWorker.class.getName())), launcher,
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent());
        try (lonely) {
            assertThatExceptionOfType(PoolStartException.class).isThrownBy(lonely::start)
                .withMessageContaining("Worker class " + OtherPoolsWorker.class.getName() + " of pool 'lonely' has no "
                        + "@IpcListener methods for this pool, so it could never handle a message");
        }
    }

    public static class OtherPoolsWorker {

        @IpcListener(value = "work", pool = "elsewhere")
        public void work() {
        }
    }

    public static class BrokenListenerWorker {

        @IpcListener("both")
        public void both(String one, String two) {
        }
    }
}
