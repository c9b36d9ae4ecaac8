package io.ipcworkers;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * A closed {@link ProcessManager} or set of pools, once the application drops it, leaves nothing of itself
 * reachable: not from the threads that sent through it, nor from a shutdown hook, thread-local or
 * registry. An application that starts and closes them as it goes would otherwise grow.
 */
class ClosedManagersAreCollectedTest {

    @Test
    void aClosedProcessManagerThatRanAChildIsCollected() throws Exception {
        List<Long> pids = new ArrayList<>();
        WeakReference<ProcessManager> manager = useAndClose(pids);
        Processes.assertAllGone(pids, Duration.ofSeconds(5));
        assertCollected(manager, "a closed ProcessManager");
    }

    private static WeakReference<ProcessManager> useAndClose(List<Long> pids) {
        ProcessManager pm = ProcessManager.builder().output(new CollectingOutput()).build();
        try {
            ChildProcess echo = pm.runProcess((self, parent) -> {
                while (true) {
                    parent.sendMessage(parent.getNextMessage());
                }
            });
            pids.add(echo.getId());
            echo.sendMessage(Message.of("echo", List.of(1, 2)));
            assertThat(echo.getNextMessage(Duration.ofSeconds(10)).payload()).isEqualTo(List.of(1, 2));
        }
        finally {
            pm.close();
        }
        return new WeakReference<>(pm);
    }

    @Test
    void closedPoolsThatCarriedRequestsAreCollected() throws Exception {
        List<Long> pids = new ArrayList<>();
        List<WeakReference<?>> pools = startUseAndClose(pids);
        Processes.assertAllGone(pids, Duration.ofSeconds(5));
        assertCollected(pools.get(0), "closed pools");
        assertCollected(pools.get(1), "a closed pool");
    }

    /** The pools and their one pool, each weakly referenced. */
    private static List<WeakReference<?>> startUseAndClose(List<Long> pids) throws Exception {
        WorkerPools pools = new WorkerPools(List.of(PoolSettings.of("echo", 1, "io.ipcworkers.pool.EchoWorker")),
                new LauncherSettings(1 << 20, Duration.ofSeconds(30), new CollectingOutput(), List.of("-Xmx64m")),
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent(), List.of());
        try {
            pools.start();
            pids.addAll(pools.pool("echo").workerPids());
            assertThat(pools.request("echo", "echo", "hello", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("hello");
            pools.send("echo", "echo", "one way");
        }
        finally {
            pools.close();
        }
        return List.of(new WeakReference<>(pools), new WeakReference<>(pools.pool("echo")));
    }

    private static void assertCollected(WeakReference<?> reference, String what) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            System.gc();
            assertThat(reference.get()).as(what + ", dropped, is still reachable").isNull();
        });
    }
}
