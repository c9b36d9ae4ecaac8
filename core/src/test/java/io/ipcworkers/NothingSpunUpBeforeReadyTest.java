package io.ipcworkers;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.pool.WorkerPools;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker's start is on every pool's critical path: the first lambda a JVM runs bootstraps
 * {@code java.lang.invoke} and spins a class (~10 ms of a plain worker's start on two cores,
 * {@code benchmarks/README.md} item 29), so none of ours may run before a worker is ready; nor may a
 * class of Jackson's load (one named in a handler of ours loads when that class is verified, and
 * opens every jar up to Jackson's: 35 ms, item 56). Ready is
 * where a pool worker's {@code Heartbeat} class loads (it starts the heartbeat right after sending
 * READY), and where a plain worker's task starts to run.
 */
class NothingSpunUpBeforeReadyTest {

    private static final String READY = "io.ipcworkers.worker.Heartbeat ";

    @Test
    void aPoolWorkerRunsNoLambdaOfOursBeforeItIsReady() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProcessOutput collecting = (name, pid, stream, line) -> lines.add(line);
        PoolSettings settings = PoolSettings.of("marking", 1, MarkingWorker.class.getName())
            .withJvmArgs(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:stdout"));
        LauncherSettings launcher = new LauncherSettings(1 << 20, Duration.ofSeconds(30), collecting, List.of());
        try (WorkerPools pools = new WorkerPools(List.of(settings), launcher, MessageCodec.withDefaultMapper(),
                ListenerRegistry.forParent())) {
            pools.start();
            pools.request("marking", "mark", null, Object.class).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains(MarkingWorker.MARK));
        }

        int ready = indexOf(lines, READY);
        assertThat(ready).as("the line of the Heartbeat class's load").isPositive();
        assertNoLambdaOfOurs(lines.subList(0, ready));
        assertNoJackson(lines.subList(0, ready));
    }

    @Test
    void aPlainWorkerTaskRunsNoLambdaOfOursBeforeItRuns() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ProcessOutput collecting = (name, pid, stream, line) -> lines.add(line);
        try (ProcessManager manager = ProcessManager.builder().output(collecting).build()) {
            ChildProcess child = manager.runProcess(new MarkingTask(),
                    List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-Xlog:class+load=info:stdout"));
            assertThat(child.getNextMessage(Duration.ofSeconds(30)).topic()).isEqualTo("ready");
            assertThat(child.onExit().get(30, TimeUnit.SECONDS)).isZero();
        }

        int running = lines.indexOf(MarkingTask.MARK);
        assertThat(running).as("the task's first line").isPositive();
        assertNoLambdaOfOurs(lines.subList(0, running));
        int readySent = lines.indexOf(MarkingTask.READY_SENT);
        assertThat(readySent).as("the task's line after it sent its first message").isGreaterThan(running);
        assertNoJackson(lines.subList(0, readySent));
    }

    /** Says when it starts to run, which is when a plain worker is ready, and tells its parent so. */
    static final class MarkingTask implements WorkerTask {

        private static final long serialVersionUID = 1L;

        static final String MARK = "task running";

        static final String READY_SENT = "ready sent";

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
            System.out.println(MARK);
            parent.sendMessage(Message.of("ready", null));
            System.out.println(READY_SENT);
        }
    }

    /** What the child's class-load log says it loaded before it was ready: much, but none of our lambdas. */
    private static void assertNoLambdaOfOurs(List<String> classLoadsBeforeReady) {
        assertThat(classLoadsBeforeReady).as("class loads logged before the worker was ready").hasSizeGreaterThan(100)
            .noneMatch((line) -> line.matches(".*\\bio\\.ipcworkers\\.\\S*\\$\\$Lambda.*"));
    }

    /**
     * Nor a class of Jackson's, which opens every jar on the class path up to Jackson's (tens of
     * milliseconds): a worker needs none before its first payload, a message without one included.
     */
    private static void assertNoJackson(List<String> classLoadsBeforeReady) {
        assertThat(classLoadsBeforeReady).as("class loads logged before the worker was ready")
            .noneMatch((line) -> line.contains(" tools.jackson."));
    }

    private static int indexOf(List<String> lines, String fragment) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                return i;
            }
        }
        return -1;
    }

    /** Says when its first message arrives, long after it got ready. */
    public static class MarkingWorker {

        static final String MARK = "first message";

        @IpcListener("mark")
        public void mark() {
            System.out.println(MARK);
        }
    }
}
