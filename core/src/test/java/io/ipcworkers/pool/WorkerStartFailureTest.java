package io.ipcworkers.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.IpcException;
import io.ipcworkers.OwnThread;
import io.ipcworkers.PoolUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Workers that cannot start, or are killed before they are ready: the pool's start retries or fails at
 * once saying why, a replacement that cannot start leaves its worker at work and backs off, and workers
 * that keep failing to start mark the pool down until a restart brings it back.
 */
class WorkerStartFailureTest extends FaultInjectionFixture {

    @Test
    void aWorkerWhoseReplacementCannotStartKeepsWorkingAndRecyclingBacksOff(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        // recycled after 5 messages, checked at every heartbeat (200 ms); restart backoff 1 s, doubling up to 8 s
        PoolSettings.Supervision supervision = new PoolSettings.Supervision(Duration.ofSeconds(1), Duration.ofSeconds(8),
                10, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMillis(200), Duration.ofSeconds(5),
                Duration.ZERO);
        WorkerPool pool = start((settings) -> gated(settings, gate, Duration.ofSeconds(30), supervision)
            .withRecycling(new PoolSettings.Recycling(5, 0, 0, 0)));
        long original = pool.workerPids().get(0);
        Files.writeString(gate, "fail");

        for (int i = 0; i < 5; i++) {
            assertThat(pool.request("pid", null, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(original);
        }
        await().atMost(WAIT).until(() -> starts(gate).size() >= 2); // the first replacement is on its way
        sleep(Duration.ofSeconds(4));

        // tried again after 1 s and 2 s, not at every heartbeat (which made eight attempts in these 4 s)
        this.seenPids.addAll(starts(gate));
        assertThat(starts(gate)).hasSizeLessThanOrEqualTo(4);
        assertThat(pool.request("pid", null, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(original);
        assertThat(pool.recycleCount()).isZero();
        assertThat(pool.restartCount()).isZero();

        Files.delete(gate); // starts succeed again: the next attempt replaces it
        await().atMost(WAIT).until(() -> pool.recycleCount() == 1);
        this.seenPids.addAll(starts(gate));
        assertThat(pool.workerPids()).hasSize(1).doesNotContain(original);
        assertThat(pool.request("echo", "replaced", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("replaced");
    }

    @Test
    void replacementsThatCouldNotStartDoNotLengthenTheWaitForARestartAfterACrash(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        // restart backoff 2 s, doubling up to a minute: counted with the crash, three failed replacements made it 16 s
        WorkerPool pool = start((settings) -> gated(settings, gate, Duration.ofSeconds(30),
                restarting(Duration.ofSeconds(2), Duration.ofMinutes(1), 10, Duration.ofMinutes(1))));
        long original = pool.workerPids().get(0);
        Files.writeString(gate, "fail");
        for (int i = 0; i < 3; i++) {
            assertThatExceptionOfType(IpcException.class).isThrownBy(() -> pool.restartWorker(original));
        }
        this.seenPids.addAll(starts(gate));
        Files.delete(gate);

        pool.send("poison", "crash");
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> pool.usableWorkers().size() == 1 && !pool.workerPids().contains(original));
        assertThat(pool.restartCount()).isOne();
    }

    @Test
    void aRestartWhoseReplacementCannotStartSaysWhyAndTheWorkerKeepsWorking(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        WorkerPool pool = start((settings) -> gated(settings, gate, Duration.ofSeconds(30), settings.supervision()));
        long original = pool.workerPids().get(0);
        Files.writeString(gate, "fail");

        assertThatExceptionOfType(IpcException.class).isThrownBy(() -> pool.restartWorker(original))
            .withMessageStartingWith("Could not start a replacement for worker faulty-1 (pid " + original
                    + ") (restart requested): ")
            .withMessageContaining("exited with code 1 before it was ready")
            .withMessageContaining("The constructor of worker class " + FaultyWorker.class.getName() + " failed; root "
                    + "cause: java.lang.IllegalStateException: start refused by the test's gate")
            .withMessageEndingWith("; it keeps working");
        assertThatExceptionOfType(IpcException.class).isThrownBy(pool::rollingRestart)
            .withMessageStartingWith("Rolling restart of pool 'faulty' incomplete: Could not start a replacement for "
                    + "worker faulty-1 (pid " + original + ") (rolling restart): ");

        this.seenPids.addAll(starts(gate));
        assertThat(starts(gate)).hasSize(3);
        assertThat(pool.request("pid", null, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(original);
        assertThat(pool.restartWorker(12345678L)).isFalse();
        Files.delete(gate);
        assertThat(pool.restartWorker(original)).isTrue();
        assertThat(pool.workerPids()).hasSize(1).doesNotContain(original);
    }

    @Test
    void workersThatKeepFailingToStartMarkThePoolDownAndARestartBringsItBack(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        // two crashes allowed; a cool-down (1 min) longer than the test, so only restart() brings it back
        WorkerPool pool = start((settings) -> gated(settings, gate, Duration.ofSeconds(2), new PoolSettings.Supervision(
                Duration.ofMillis(50), Duration.ofMillis(200), 2, Duration.ofMinutes(1), Duration.ofMinutes(1),
                Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ZERO)));
        Files.writeString(gate, "hang");

        pool.send("poison", "the test"); // one crash; then two restarts that never get ready
        await().atMost(WAIT).until(() -> pool.state() == WorkerPool.State.DOWN);

        this.seenPids.addAll(starts(gate));
        assertThat(starts(gate)).hasSize(3);
        assertThat(pool.snapshot().downReason()).startsWith("workers keep failing to start: Worker faulty-1 (pid ")
            .contains("did not become ready within PT2S");
        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.send("echo", 1))
            .withMessageStartingWith("Pool 'faulty' is down: workers keep failing to start: ");
        await().atMost(WAIT).until(() -> starts(gate).stream() // the hung starts were killed at their start timeout
            .noneMatch(FaultInjectionFixture::isAlive));

        Files.delete(gate);
        pool.restart();
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1);
        this.seenPids.addAll(pool.workerPids());
        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(pool.request("echo", "back", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("back");
    }

    @Test
    void aWorkerKilledBeforeItIsReadyWhileThePoolStartsIsStartedAgain(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        CompletableFuture<WorkerPool> starting = startingHeldAtTheGate(gate, Duration.ofMillis(50));
        await().atMost(WAIT).until(() -> starts(gate).size() == 1);
        long killed = starts(gate).get(0);

        signal("KILL", killed); // as the kernel's out-of-memory killer would
        await().atMost(WAIT).until(() -> starts(gate).size() == 2);
        Files.writeString(gate, "open");

        WorkerPool pool = starting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        this.seenPids.addAll(starts(gate));
        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(pool.workerPids()).containsExactly(starts(gate).get(1));
        assertThat(pool.request("echo", "back", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("back");
        assertThat(starts(gate)).hasSize(2);
    }

    @Test
    void aPoolsStartGivesUpOnASlotWhoseWorkerIsKilledBeforeItIsReadyAtEachAttempt(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        CompletableFuture<WorkerPool> starting = startingHeldAtTheGate(gate, Duration.ofMillis(50));
        for (int attempt = 1; attempt <= WorkerStarter.START_ATTEMPTS; attempt++) {
            int started = attempt;
            await().atMost(WAIT).until(() -> starts(gate).size() == started);
            signal("KILL", starts(gate).get(attempt - 1));
        }

        assertThat(starting).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
            .havingCause().isInstanceOf(PoolStartException.class)
            .withMessageStartingWith("Pool 'faulty' could not start: Worker faulty-1 (pid " + starts(gate).get(2)
                    + ") exited with code 137 (SIGKILL, as from kill -9 or the kernel's out-of-memory killer) before it "
                    + "was ready, as were the 2 started for its slot before it");
        this.seenPids.addAll(starts(gate));
        assertThat(starts(gate)).hasSize(WorkerStarter.START_ATTEMPTS);
        assertThat(this.pools.pool("faulty").state()).isEqualTo(WorkerPool.State.STOPPED);
    }

    @Test
    void aPoolStoppedWhileItWaitsToStartAKilledWorkerAgainStopsWaiting(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        CompletableFuture<WorkerPool> starting = startingHeldAtTheGate(gate, Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> starts(gate).size() == 1);
        signal("KILL", starts(gate).get(0)); // started again in a minute

        await().atMost(WAIT).until(() -> this.pools != null && !isAlive(starts(gate).get(0)));
        this.pools.pool("faulty").stop();

        assertThat(starting).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
            .havingCause().isInstanceOf(PoolStartException.class)
            .withMessage("Pool 'faulty' could not start: it was stopped while its workers started");
        this.seenPids.addAll(starts(gate));
        assertThat(starts(gate)).hasSize(1);
        assertThat(this.pools.pool("faulty").state()).isEqualTo(WorkerPool.State.STOPPED);
    }

    @Test
    void aWorkerThatFailsByItselfWhileThePoolStartsFailsTheStartAtOnce(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        Files.writeString(gate, "fail");

        assertThatExceptionOfType(PoolStartException.class).isThrownBy(() -> start((settings) -> gated(settings, gate,
                WAIT, restarting(Duration.ofMillis(50), Duration.ofMillis(200), 10, Duration.ofMinutes(1)))))
            .withMessageStartingWith("Pool 'faulty' could not start: ")
            .withMessageContaining("start refused by the test's gate");
        this.seenPids.addAll(starts(gate));
        assertThat(starts(gate)).hasSize(1);
    }

    @Test
    void aReplacementThatGetsReadyOnlyAfterThePoolStoppedIsStoppedAndNotPutInPlace(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        WorkerPool pool = start((settings) -> gated(settings, gate, Duration.ofSeconds(60), settings.supervision()));
        long old = pool.workerPids().get(0);
        this.seenPids.add(old);
        Files.writeString(gate, "hold");

        CompletableFuture<Boolean> restarted = OwnThread.supply(() -> pool.restartWorker(old));
        await().atMost(WAIT).until(() -> starts(gate).size() == 2); // the replacement waits at the gate
        long replacement = starts(gate).get(1);
        this.seenPids.add(replacement);
        pool.stop(); // stops the old worker; the replacement is not in its slot yet
        await().atMost(Duration.ofSeconds(10)).until(() -> !isAlive(old) && pool.workerPids().isEmpty());
        assertThat(restarted).isNotDone();
        Files.writeString(gate, "open"); // now it gets ready, after the stop

        assertThat(restarted.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isFalse(); // the slot it was to take is gone
        await().atMost(Duration.ofSeconds(10)).until(() -> !isAlive(replacement));
        assertThat(pool.workerPids()).isEmpty();
        assertThat(pool.state()).isEqualTo(WorkerPool.State.STOPPED);
    }

    /**
     * Starts a pool of one gated worker on a thread of its own, each of its workers held at the gate
     * (not ready) until the test opens it; a worker killed there is started again after {@code backoff}.
     */
    private CompletableFuture<WorkerPool> startingHeldAtTheGate(Path gate, Duration backoff) throws Exception {
        Files.writeString(gate, "hold");
        return OwnThread.supply(() -> start((settings) -> gated(settings, gate, WAIT,
                restarting(backoff, backoff.multipliedBy(4), 10, Duration.ofMinutes(1)))));
    }
}
