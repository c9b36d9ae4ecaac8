package io.ipcworkers.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.IpcException;
import io.ipcworkers.Message;
import io.ipcworkers.OwnThread;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Stopping, closing and restarting pools amid faults: in-flight work finishes or is reported, no stop is
 * held up past its timeout or undone, and no worker JVM, nor a process one started, outlives the close.
 */
class PoolStopTest extends FaultInjectionFixture {

    @Test
    void aPoolStoppedWhileItStartsStaysStoppedAndItsWorkersDoNotOutliveTheStart() throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        List<Long> started = new CopyOnWriteArrayList<>();
        PoolListener stopping = new PoolListener() {

            @Override
            public void workerStarted(String pool, String worker, long pid) {
                started.add(pid);
                if (stopped.compareAndSet(false, true)) { // the first worker is ready, the pool not yet
                    PoolStopTest.this.pools.pool(pool).stop();
                }
            }
        };

        assertThatExceptionOfType(PoolStartException.class)
            .isThrownBy(() -> start(UnaryOperator.identity(), List.of(stopping)))
            .withMessage("Pool 'faulty' could not start: it was stopped while its workers started");

        this.seenPids.addAll(started);
        assertThat(started).hasSize(2);
        WorkerPool pool = this.pools.pool("faulty");
        assertThat(pool.state()).isEqualTo(WorkerPool.State.STOPPED);
        assertThat(pool.workerPids()).isEmpty();
        await().atMost(WAIT).until(() -> started.stream().noneMatch(FaultInjectionFixture::isAlive));
    }

    @Test
    void theSnapshotTellsEmptySlotsOfAStartingAndOfAStoppedPoolFromThoseBeingRestarted() throws Exception {
        List<String> whileStarting = new CopyOnWriteArrayList<>();
        AtomicBoolean looked = new AtomicBoolean();
        PoolListener looking = new PoolListener() {

            @Override
            public void workerStarted(String pool, String worker, long pid) {
                if (looked.compareAndSet(false, true)) { // the first worker is ready, the pool not yet
                    PoolStopTest.this.pools.pool(pool).snapshot().workers()
                        .forEach((slot) -> whileStarting.add(slot.state() + " " + slot.pid() + " " + slot.maxHeapBytes()));
                }
            }
        };
        WorkerPool pool = start(UnaryOperator.identity(), List.of(looking));
        this.seenPids.addAll(pool.workerPids());

        this.pools.close();

        assertThat(whileStarting).containsExactly("starting null null", "starting null null");
        // each slot is emptied as its worker's reader sees the connection end, a moment after the process has gone
        await().atMost(WAIT).untilAsserted(() -> assertThat(pool.snapshot().workers())
            .extracting(PoolSnapshot.WorkerSnapshot::state, PoolSnapshot.WorkerSnapshot::pid,
                    PoolSnapshot.WorkerSnapshot::maxHeapBytes)
            .containsExactly(tuple("stopped", null, null), tuple("stopped", null, null)));
    }

    @Test
    void aCrashNoticedOnceThePoolsTimersAreShutDownIsNotRestarted() throws Exception {
        WorkerPool pool = start(FaultInjectionFixture::oneWorker);
        long pid = pool.workerPids().get(0);
        try (CapturedLog log = CapturedLog.includingDebug(WorkerPool.class)) {
            pool.scheduler().shutdownNow(); // as closing the pools does; the crash is noticed after it

            signal("KILL", pid);

            await().atMost(WAIT).until(() -> log.messages().contains("Pool 'faulty' drops the restart of worker "
                    + "faulty-1: its pools are closed"));
        }
    }

    @Test
    void aWorkerReplacedOnceThePoolsTimersAreShutDownIsStillAskedToExit() throws Exception {
        WorkerPool pool = start(FaultInjectionFixture::oneWorker);
        long pid = pool.workerPids().get(0);
        pool.scheduler().shutdownNow(); // as closing the pools does; the replacement is in place before it looks

        assertThat(pool.restartWorker(pid)).isTrue();

        await().atMost(WAIT).until(() -> !isAlive(pid));
        assertThat(pool.workerPids()).singleElement().isNotEqualTo(pid);
    }

    @Test
    void aMessageToRedeliverOnceThePoolsThreadsAreShutDownFailsSayingSoRatherThanHanging() throws Exception {
        WorkerPool pool = start((settings) -> oneWorker(settings).withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)));
        long pid = pool.workerPids().get(0);
        CompletableFuture<Long> request = pool.request("sleep", 60_000, Long.class, Duration.ofMinutes(5));
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);
        ((ExecutorService) pool.executor()).shutdownNow(); // as closing the pools does; the crash is noticed after it

        signal("KILL", pid);

        assertThat(failureOf(request)).isInstanceOf(PoolUnavailableException.class)
            .hasMessageStartingWith("Pool 'faulty' was closed before 'sleep' could be redelivered (worker faulty-1 (pid "
                    + pid + ") exited with code 137");
    }

    /** The close comes while the replacement starts, connects, gets ready, or after it took its place. */
    @ParameterizedTest
    @ValueSource(ints = { 0, 60, 150, 200, 230, 260, 290, 320, 350, 600 })
    void aWorkerRestartedWhileItsPoolsCloseLeavesNoProcessBehind(int closeAfterMillis) throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        long pid = pool.workerPids().get(0);
        closePoolsDuring(() -> pool.restartWorker(pid), closeAfterMillis, (failure) -> assertThat(failure)
            .isInstanceOf(IpcException.class)
            .hasMessageStartingWith("Could not start a replacement for worker faulty-1 (pid " + pid
                    + ") (restart requested): pool 'faulty' was stopped meanwhile"));
    }

    /** As above, for a rolling restart: the close comes at one of its two replacements, or between them. */
    @ParameterizedTest
    @ValueSource(ints = { 0, 150, 300, 450, 600, 900, 1200 })
    void aRollingRestartWhileItsPoolsCloseLeavesNoProcessBehind(int closeAfterMillis) throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        closePoolsDuring(Executors.callable(pool::rollingRestart), closeAfterMillis, (failure) -> assertThat(failure)
            .isInstanceOf(IpcException.class)
            .hasMessageStartingWith("Rolling restart of pool 'faulty' incomplete: Could not start a replacement")
            .hasMessageContaining("pool 'faulty' was stopped meanwhile"));
    }

    /** As above, for the pools' start: the close comes while the workers start, or once they are ready. */
    @ParameterizedTest
    @ValueSource(ints = { 0, 60, 150, 200, 250, 300, 350, 600 })
    void poolsClosedWhileTheyStartLeaveNoProcessBehind(int closeAfterMillis) throws Exception {
        this.pools = unstartedPools(UnaryOperator.identity(), List.of(), 1 << 20, ListenerRegistry.forParent());
        WorkerPools starting = this.pools;
        closePoolsDuring(Executors.callable(starting::start), closeAfterMillis, (failure) -> {
            if (failure instanceof IllegalStateException) {
                // the close came before the caller's thread began the start (seen at 0 ms)
                assertThat(failure).hasMessage("These pools have been closed");
            }
            else {
                assertThat(failure).isInstanceOf(PoolStartException.class)
                    .hasMessageStartingWith("Pool 'faulty' could not start: ");
            }
        });
    }

    /**
     * A caller making one request after another, each waited for on its own thread (which reads the
     * replies meanwhile): the close lets the request in flight finish and refuses the next one.
     */
    @ParameterizedTest
    @ValueSource(ints = { 0, 30, 100, 250, 500 })
    void aCallerWaitingForItsRepliesWhenThePoolsCloseHasItsNextRequestRefused(int closeAfterMillis) throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        closePoolsDuring(() -> {
            while (true) {
                pool.request("sleep", 5, Long.class).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }, closeAfterMillis, (failure) -> assertThat(failure).isInstanceOf(PoolUnavailableException.class)
            .message().matches("Pool 'faulty' is (stopping|stopped); 'sleep' was not sent"));
    }

    @Test
    void closedPoolsRefuseToStartAndTheirPoolIsLeftStopped() {
        WorkerPools closed = unstartedPools(UnaryOperator.identity(), List.of(), 1 << 20, ListenerRegistry.forParent());
        closed.close();

        assertThatIllegalStateException().isThrownBy(closed::start).withMessage("These pools have been closed");
        WorkerPool pool = closed.pool("faulty");
        assertThatExceptionOfType(PoolStartException.class).isThrownBy(pool::start)
            .withMessage("Pool 'faulty' could not start: its pools were closed while it started");
        assertThat(pool.state()).isEqualTo(WorkerPool.State.STOPPED);
        closed.stop(); // closing stopped them: nothing to do
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }

    /**
     * Runs the operation on a thread of its own and closes the pools after the given time; the operation
     * ends (done, or not done since the pool had stopped when it looked) or fails as checked, and no
     * worker JVM is left running.
     */
    private void closePoolsDuring(Callable<?> operation, int closeAfterMillis, Consumer<Throwable> checkFailure)
            throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<?> running = caller.submit(operation);
            Thread.sleep(closeAfterMillis);
            this.pools.close();
            try {
                running.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            catch (ExecutionException ex) {
                checkFailure.accept(ex.getCause());
            }
            await().atMost(Duration.ofSeconds(20))
                .until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
        }
        finally {
            caller.shutdownNow();
        }
    }

    /**
     * A JVM asked to exit may take seconds after its connection ends: its shutdown hooks, and a class data
     * archive written at exit (a Spring worker's, on a busy machine). Killed two seconds after the end of
     * its connection, a replaced worker lost its archive; it now has the stop timeout, as the stop gives it.
     */
    @Test
    void aWorkerAskedToExitThatTakesSecondsAfterItsConnectionEndsIsNotKilled(@TempDir Path dir) throws Exception {
        Map<Long, Integer> exitCodes = new ConcurrentHashMap<>();
        PoolListener exits = new PoolListener() {

            @Override
            public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String state) {
                exitCodes.put(pid, exitCode);
            }
        };
        WorkerPool pool = start(UnaryOperator.identity(), List.of(exits));
        PoolWorker lingering = pool.currentWorkers().get(0);
        Path go = dir.resolve("go");
        pool.sendTo(lingering, Message.of("linger-after-close", go.toString()));

        assertThat(pool.restartWorker(lingering.getId())).isTrue(); // asks it to exit once its replacement is ready
        Files.createFile(go); // its connection ends now, and its JVM three seconds later, by itself

        await().atMost(WAIT).until(() -> exitCodes.containsKey(lingering.getId()));
        assertThat(exitCodes.get(lingering.getId())).as("its own exit code, not SIGKILL's").isEqualTo(42);
        assertBackToSize(pool);
    }

    @Test
    void gracefulStopFinishesInFlightWorkAndReportsWhatCouldNotFinish() throws Exception {
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), settings.workers(),
                settings.workerClass(), settings.jvmArgs(), settings.environment(), settings.routing(),
                settings.maxInFlight(), settings.maxWaiting(), settings.requestTimeout(), settings.acquireTimeout(),
                settings.startTimeout(), Duration.ofSeconds(2), settings.supervision(), settings.recycling(),
                settings.delivery()));
        // the first message a fresh worker takes may wait for its JSON mapper: a second is not much on a busy machine
        CompletableFuture<Long> quick = pool.request("sleep", 100, Long.class);
        CompletableFuture<Long> tooSlow = pool.request("sleep", 30_000, Long.class);
        pool.send("sleep", 30_000);
        this.seenPids.addAll(pool.workerPids());

        pool.stop();

        assertThat(quick.get(1, TimeUnit.SECONDS)).isPositive(); // done while the pool was stopping
        assertThat(failureOf(tooSlow)).isInstanceOf(PoolUnavailableException.class)
            .hasMessageContaining("Pool 'faulty' stopped before worker faulty-");
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        assertThat(this.deadLetters.get(0).reason()).contains("stopped before");
        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.send("echo", 1))
            .withMessageContaining("Pool 'faulty' is stopped");
    }

    @Test
    void aStopIsNotHeldUpPastItsTimeoutByAWorkerThatDoesNotRead() throws Exception {
        Stalled stalled = stallAWorker();

        long started = System.nanoTime();
        stalled.pool().stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(failureOf(stalled.stream())).isInstanceOf(IpcException.class);
    }

    @Test
    void aRestartOfAWorkerThatDoesNotReadReplacesItWithinTheStopTimeout() throws Exception {
        Stalled stalled = stallAWorker();
        WorkerPool pool = stalled.pool();

        CompletableFuture<Boolean> restart = OwnThread.supply(() -> pool.restartWorker(stalled.pid()));

        assertThat(restart.get(20, TimeUnit.SECONDS)).isTrue(); // its kill was arranged before it was asked to exit
        await().atMost(WAIT).until(() -> !isAlive(stalled.pid()));
        assertThat(failureOf(stalled.stream())).isInstanceOf(ProcessExitedException.class);
        assertBackToSize(pool);
    }

    private record Stalled(WorkerPool pool, long pid, CompletableFuture<Object> stream) {
    }

    /**
     * A worker stalled by the parent's listener as in {@link HungWorkerTest}'s stall tests, left alone by
     * supervision (its timeout is longer than the test), in a pool whose stop timeout is 1 s.
     */
    private Stalled stallAWorker() {
        PoolSettings.Supervision patient = new PoolSettings.Supervision(Duration.ofMillis(50), Duration.ofMillis(200), 10,
                Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofMinutes(2), Duration.ZERO);
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), settings.workers(), settings.workerClass(),
                settings.jvmArgs(), settings.environment(), settings.routing(), settings.maxInFlight(),
                settings.maxWaiting(), settings.requestTimeout(), settings.acquireTimeout(), settings.startTimeout(),
                Duration.ofSeconds(1), patient, settings.recycling(), settings.delivery()));
        this.seenPids.addAll(pool.workerPids());
        CompletableFuture<Object> stream = pool.request("stream", 200_000, Object.class);
        // the worker found held back, not looked up again: it is let go for a moment whenever the queue drains a little
        long pid = await().atMost(WAIT).until(() -> pool.currentWorkers().stream().filter(PoolWorker::isHeldBack)
            .findFirst(), Optional::isPresent).orElseThrow().getId();
        return new Stalled(pool, pid, stream);
    }

    @Test
    void stoppedPoolsStartAgainWithNewWorkers() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> first = pool.workerPids();
        this.seenPids.addAll(first);
        assertThat(pool.request("echo", "before", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("before");

        this.pools.stop(); // as a Spring context's stop() does; its start() starts them again
        await().atMost(WAIT).until(() -> first.stream()
            .noneMatch(FaultInjectionFixture::isAlive));
        this.pools.start();

        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(pool.workerPids()).hasSize(2).doesNotContainAnyElementsOf(first);
        assertBackToSize(pool);
        assertThat(pool.restartCount()).isZero();
    }

    @Test
    void closingThePoolsWhileAReplacementIsStartingLeavesNoWorkerJvmBehind(@TempDir Path dir) throws Exception {
        Path gate = dir.resolve("gate");
        WorkerPool pool = start((settings) -> gated(settings, gate, Duration.ofSeconds(60), settings.supervision()));
        this.seenPids.addAll(pool.workerPids());
        Files.writeString(gate, "hang");

        pool.send("poison", "the test"); // its replacement connects, then hangs before it is ready
        await().atMost(WAIT).until(() -> starts(gate).size() == 2);
        List<Long> starts = starts(gate);
        this.pools.close(); // and again after the test, which must do nothing

        // close returns with the replacement on its way out: not kept until its start timeout, nor for good
        await().atMost(Duration.ofSeconds(5)).until(() -> !isAlive(starts.get(1)));
        this.seenPids.addAll(starts);
    }
}
