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
 * {@code benchmarks/README.md} item 29), so none of ours may run before a worker is ready. Ready is
 * where the worker's {@code Heartbeat} class loads: it starts the heartbeat right after sending READY.
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
        assertThat(lines.subList(0, ready)).as("class loads logged before the worker was ready")
            .hasSizeGreaterThan(100)
            .noneMatch((line) -> line.matches(".*\\bio\\.ipcworkers\\.\\S*\\$\\$Lambda.*"));
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
