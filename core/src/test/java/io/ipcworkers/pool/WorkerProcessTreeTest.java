package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Processes;
import org.junit.jupiter.api.Test;

import tools.jackson.core.type.TypeReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The processes a worker's listeners start end with the worker, whether it crashes, is killed at the
 * handler timeout or is replaced gracefully, even those that left its process tree.
 */
class WorkerProcessTreeTest extends FaultInjectionFixture {

    @Test
    void aWorkerKilledAtTheHandlerTimeoutTakesTheProcessesItStartedWithIt() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(fastSupervision(10, Duration.ofSeconds(2))));

        CompletableFuture<Object> request = pool.request("spawn-and-spin", null, Object.class);
        await().atMost(WAIT).until(() -> !this.spawned.isEmpty());
        List<Long> started = shellAndItsSleep(this.spawned.get(0));

        assertThat(failureOf(request)).isInstanceOf(IpcTimeoutException.class)
            .hasMessageContaining("ran longer than the handler timeout of PT2S");
        Processes.assertAllGone(started, Duration.ofSeconds(5)); // not waited for by the dead worker: may be zombies
        assertBackToSize(pool);
    }

    /** The pids of a shell a worker started ({@code sh -c "sleep 300 & wait"}) and of its sleep, both running. */
    private List<Long> shellAndItsSleep(long shell) {
        List<Long> started = new ArrayList<>(List.of(shell));
        await().atMost(WAIT).until(() -> ProcessHandle.of(shell).map((handle) -> handle.children().count() == 1)
            .orElse(false));
        ProcessHandle.of(shell).ifPresent((handle) -> handle.children().forEach((sleep) -> {
            started.add(sleep.pid());
            this.spawned.add(sleep.pid()); // killed after the test, should it fail
        }));
        assertThat(started).hasSize(2).allMatch(Processes::isAlive);
        return started;
    }

    /** The shell a worker's listener started and left running ({@code "spawn"}), and its sleep. */
    private List<Long> spawnedShellAndItsSleep(WorkerPool pool) throws Exception {
        long shell = pool.request("spawn", null, Long.class).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        this.spawned.add(shell);
        return shellAndItsSleep(shell);
    }

    @Test
    void aWorkerReplacedGracefullyStopsTheProcessesItsListenersStartedAndLeftRunning() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> started = spawnedShellAndItsSleep(pool);
        long worker = ProcessHandle.of(started.get(0)).flatMap(ProcessHandle::parent).orElseThrow().pid();

        assertThat(pool.restartWorker(worker)).isTrue(); // a SHUTDOWN, as recycling and the pool's stop send

        Processes.assertAllGone(started, Duration.ofSeconds(10)); // not waited for by the worker: may be zombies
        assertBackToSize(pool);
    }

    @Test
    void aWorkerReplacedGracefullyTakesWithItEvenTheProcessesThatLeftItsProcessTree() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> pids = pool.request("detach", null, new TypeReference<List<Long>>() { })
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long worker = pids.get(0);
        long sleep = pids.get(1);
        this.spawned.add(sleep);
        assertThat(Processes.isAlive(sleep)).isTrue();
        assertThat(ProcessHandle.of(worker).orElseThrow().descendants()).noneMatch((process) -> process.pid() == sleep);

        assertThat(pool.restartWorker(worker)).isTrue();

        Processes.assertAllGone(List.of(sleep), Duration.ofSeconds(10));
        assertBackToSize(pool);
    }

    @Test
    void aWorkerThatCrashesTakesTheProcessesItStartedWithIt() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> started = spawnedShellAndItsSleep(pool);
        long worker = ProcessHandle.of(started.get(0)).flatMap(ProcessHandle::parent).orElseThrow().pid();

        pool.broadcast("poison", "the test"); // each halts: no shutdown hook runs, as with an out-of-memory exit

        await().atMost(WAIT).until(() -> !Processes.isAlive(worker));
        Processes.assertAllGone(started, Duration.ofSeconds(10)); // orphans now: found by the worker's mark
        assertBackToSize(pool);
    }
}
