package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.DirectMemory;
import io.ipcworkers.IpcException;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * A worker that crashes or is killed is replaced, and what it held is failed with its exit, or
 * dead-lettered, each message exactly once (dead letters no listener takes logged without a flood);
 * too many crashes mark the pool down until it recovers.
 */
class CrashedWorkerTest extends FaultInjectionFixture {

    @Test
    void aDeadWorkersHandleKeptByTheApplicationHoldsNoNativeBuffers() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        long before = DirectMemory.settled();
        List<PoolWorker> kept = new ArrayList<>(); // as a reply's future or a listener's sender parameter keeps one
        for (int i = 0; i < 4; i++) {
            PoolWorker victim = pool.currentWorkers().get(0);
            kept.add(victim);
            signal("KILL", victim.getId());
            await().atMost(WAIT).until(() -> !pool.workerPids().contains(victim.getId()) && pool.usableWorkers().size() == 2);
        }

        // each replacement has buffers of its own, as its victim had: the victims' (~80 KiB each) must be gone
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            System.gc();
            assertThat(DirectMemory.used() - before).isLessThan(2 * 80 * 1024L);
        });
        assertThat(kept).allSatisfy((worker) -> assertThat(worker.isAlive()).isFalse());
    }

    @Test
    void aWorkerKilledOnceReadyWhileTheOthersStillStartIsReplaced() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);

        WorkerPool pool = start(UnaryOperator.identity(), List.of(killingTheWorkerReady(1, exited)));

        assertThat(exited.getCount()).isZero();
        assertBackToSize(pool);
        assertThat(pool.restartCount()).isEqualTo(1);
    }

    @Test
    void aReplacementKilledOnceReadyLeavesTheWorkerItWasToReplaceAtWork() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        WorkerPool pool = start(UnaryOperator.identity(), List.of(killingTheWorkerReady(3, exited)));
        List<Long> before = pool.workerPids();

        assertThatExceptionOfType(IpcException.class).isThrownBy(() -> pool.restartWorker(before.get(0)))
            .withMessageContaining("Could not start a replacement for worker faulty-")
            .withMessageContaining("exited with code 137")
            .withMessageContaining("before it took its place in the pool; it keeps working");

        assertThat(exited.getCount()).isZero();
        assertBackToSize(pool);
        assertThat(pool.workerPids()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(pool.snapshot().recycles()).isZero();
    }

    @Test
    void aReplacementWhoseWorkerDiesWhileItStartsTakesTheEmptySlot() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        AtomicLong replaced = new AtomicLong();
        AtomicLong replacement = new AtomicLong();
        WorkerPool pool = start(UnaryOperator.identity(), List.of(killingOnReady(3, (ready) -> {
            replacement.set(ready);
            return replaced.get();
        }, exited)));
        replaced.set(pool.workerPids().get(0));

        assertThat(pool.restartWorker(replaced.get())).isTrue();

        assertThat(exited.getCount()).isZero();
        assertThat(pool.workerPids()).contains(replacement.get()).doesNotContain(replaced.get());
        assertBackToSize(pool);
        assertThat(pool.workerPids()).contains(replacement.get());
        assertThat(pool.restartCount()).isZero(); // the slot needed no restart of its own
    }

    @Test
    void aWorkerRestartedAfterACrashAndKilledOnceReadyIsRestartedInTurn() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        WorkerPool pool = start(UnaryOperator.identity(), List.of(killingTheWorkerReady(3, exited)));
        long crashed = pool.workerPids().get(0);

        signal("KILL", crashed);

        await().atMost(WAIT).until(() -> exited.getCount() == 0);
        assertBackToSize(pool);
        assertThat(pool.workerPids()).doesNotContain(crashed);
        assertThat(pool.restartCount()).isEqualTo(1); // the restart that took its slot; the one that did not, no
        // the slot's own count and how its last worker ended (both were killed); the other slot's untouched
        assertThat(pool.snapshot().workers()).extracting(PoolSnapshot.WorkerSnapshot::restarts,
                PoolSnapshot.WorkerSnapshot::lastExitCode)
            .containsExactly(tuple(1L, 137), tuple(0L, null));
    }

    @Test
    void killMinusNineMidRequestFailsThatRequestWithExitCode137() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        CompletableFuture<Long> busy = pool.request("sleep", 60_000, Long.class);
        CompletableFuture<Long> other = pool.request("sleep", 100, Long.class);
        await().atMost(WAIT).until(other::isDone);
        long victim = pool.currentWorkers().stream().filter((w) -> w.inFlight() == 1).findFirst().orElseThrow().getId();

        signal("KILL", victim);

        assertThat(failureOf(busy)).isInstanceOfSatisfying(ProcessExitedException.class, (ex) -> {
            assertThat(ex.getExitCode()).isEqualTo(137);
            assertThat(ex.getPid()).isEqualTo(victim);
            assertThat(ex).hasMessageContaining("exited with code 137 (SIGKILL, as from kill -9 or the kernel's "
                    + "out-of-memory killer) while request 'sleep' was in flight");
        });
        assertThat(other.get()).isNotEqualTo(victim);
        assertBackToSize(pool);
        assertThat(pool.restartCount()).isEqualTo(1);
    }

    @Test
    void workerThatRunsOutOfMemoryExitsAndIsReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertThat(failureOf(pool.request("allocate", null, Object.class)))
            .isInstanceOfSatisfying(ProcessExitedException.class, (ex) -> {
                assertThat(ex.getExitCode()).isEqualTo(3);
                assertThat(ex).hasMessageContaining("OutOfMemoryError");
            });
        assertBackToSize(pool);
    }

    @Test
    void aSendIsNotRetriedOnAWorkerWhoseWriteFailedWhileItsReaderHasNotSeenItGo() throws Exception {
        // one message in flight per worker: while the other one is busy, only the dead one has room
        WorkerPool pool = start((settings) -> settings.withLimits(1, settings.maxWaiting(), settings.acquireTimeout()));
        CompletableFuture<Long> busy = pool.request("sleep", 3_000, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> reply = pool.request("sleep", 200, Long.class); // to the other worker
        // attached before the reply arrives, so it holds that worker's reader thread (not waited for
        // with reply.get(), whose caller would read the reply, and so run this, itself)
        CompletableFuture<Long> holding = new CompletableFuture<>();
        CompletableFuture<Long> held = reply.thenApply((pid) -> {
            holding.complete(pid);
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return pid;
        });
        long dead = holding.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        this.seenPids.addAll(pool.workerPids());
        signal("KILL", dead);
        await().atMost(WAIT).until(() -> !isAlive(dead));

        try {
            // the first attempt fails writing to the dead worker; the next must wait for room on the
            // busy one, not try the dead one again (its reader, held, has not seen it go)
            assertThat(busy).isNotDone();
            pool.send("echo", "after the kill");

            await().atMost(WAIT).until(() -> this.echoed.contains("after the kill"));
            assertThat(busy.get()).isNotEqualTo(dead);
        }
        finally {
            release.countDown();
        }
        assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(dead);
        assertBackToSize(pool);
        assertThat(this.deadLetters).isEmpty();
    }

    @Test
    void aWorkerThatDiesWhileAPayloadForItIsSerializedIsNoticedAtOnceAndTheSendIsSettledOnce() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        HeldPayload held = new HeldPayload();
        Thread sender = new Thread(() -> pool.send("echo", held), "sender");
        sender.start();
        try {
            assertThat(held.beingWritten.await(10, TimeUnit.SECONDS)).isTrue(); // in flight on its worker, not yet written
            PoolSnapshot.WorkerSnapshot holder = pool.snapshot().workers().stream()
                .filter((worker) -> worker.inFlight() == 1).findFirst().orElseThrow();
            this.seenPids.add(holder.pid());

            ProcessHandle.of(holder.pid()).orElseThrow().destroyForcibly();
            // the worker's reader does not wait for the serializing sender: the exit is handled, a plain send failed
            await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        }
        finally {
            held.release.countDown(); // its frame now goes nowhere: the connection is closed
            sender.join(WAIT.toMillis());
        }

        assertThat(sender.isAlive()).isFalse();
        assertThat(this.deadLetters.get(0).reason()).contains("while message 'echo' was in flight");
        assertBackToSize(pool);
        // each worker's messages reach the parent in order: its "after" comes behind anything it was sent before
        assertThat(pool.broadcast("echo", "after")).isEqualTo(2);
        await().atMost(WAIT).until(() -> this.echoed.stream().filter("after"::equals).count() == 2);
        assertThat(this.echoed).as("echoed by the workers").allMatch((payload) -> payload.toString().startsWith("after"));
    }

    /** A payload whose serialization waits until the test lets it go on. */
    public static final class HeldPayload {

        final CountDownLatch beingWritten = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        public String getValue() throws InterruptedException {
            this.beingWritten.countDown();
            this.release.await();
            return "held";
        }
    }

    @Test
    void plainSendLostWithItsWorkerBecomesADeadLetterNamingTheExitCode() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        try (CapturedLog log = new CapturedLog(WorkerPool.class)) {
            pool.send("poison", "fire and forget");

            await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
            assertThat(this.deadLetters.get(0).reason())
                .contains("exited with code 13 while message 'poison' was in flight");
            assertBackToSize(pool);
            // the listener took it: the application logs it if it wants to, not the pool as well
            assertThat(log.messages()).anyMatch((line) -> line.contains("exited with code 13; restarting in"))
                .noneMatch((line) -> line.toLowerCase(Locale.ROOT).contains("dead letter"));
        }
    }

    @Test
    void deadLettersNoListenerTakesAreLoggedInOneLinePerWorkerExitNotOneEach() throws Exception {
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), 1, settings.workerClass(),
                settings.jvmArgs(), settings.environment(), settings.routing(), settings.maxInFlight(),
                settings.maxWaiting(), settings.requestTimeout(), settings.acquireTimeout(), settings.startTimeout(),
                settings.stopTimeout(), settings.supervision(), settings.recycling(), settings.delivery()), List.of(),
                1 << 20, ListenerRegistry.forParent());
        long pid = pool.workerPids().get(0);
        this.seenPids.add(pid);

        try (CapturedLog log = new CapturedLog(WorkerPool.class)) {
            pool.send("sleep", 30_000);
            for (int i = 0; i < 4; i++) {
                pool.send("echo", i);
            }
            pool.send("sleep", 30_000);
            await().atMost(WAIT).until(() -> pool.snapshot().inFlight() == 6);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

            await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1);
            this.seenPids.addAll(pool.workerPids());
            List<String> deadLetterLines = log.messages().stream()
                .filter((line) -> line.toLowerCase(Locale.ROOT).contains("dead letter"))
                .toList();
            assertThat(deadLetterLines).singleElement().asString()
                .startsWith("6 dead letters from pool 'faulty' (topics 'sleep' x2, 'echo' x4); the first, topic "
                        + "'sleep': Worker faulty-1 (pid " + pid + ") exited with code 137 (SIGKILL, as from kill -9 or the "
                        + "kernel's out-of-memory killer) while message 'sleep' was in flight");
            assertThat(log.messages()).anyMatch((line) -> line.contains("out-of-memory killer); restarting in"));
        }
    }

    @Test
    void aStreamOfDeadLettersNoListenerTakesIsLoggedAsItsFirstAndOneLineForTheRest() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity(), List.of(), 1 << 20, ListenerRegistry.forParent());
        this.seenPids.addAll(pool.workerPids());

        try (CapturedLog log = new CapturedLog(WorkerPool.class)) {
            for (int i = 0; i < 40; i++) {
                pool.send("sleep", "not a number " + i); // does not convert to the listener's long
            }
            await().atMost(WAIT).until(() -> pool.deadLettersHeldBack() == 39);
            assertThat(deadLetterLines(log)).singleElement().asString()
                .startsWith("Dead letter from pool 'faulty', topic 'sleep': ")
                .contains("\"not a number ");

            pool.stop();
            assertThat(deadLetterLines(log)).hasSize(2).last().asString()
                .startsWith("39 more dead letters from pool 'faulty' within 10 s of the one logged before (topics "
                        + "'sleep' x39); the first, topic 'sleep': ")
                .contains("\"not a number ");
        }
    }

    private static List<String> deadLetterLines(CapturedLog log) {
        return log.messages().stream().filter((line) -> line.toLowerCase(Locale.ROOT).contains("dead letter")).toList();
    }

    @Test
    void tooManyCrashesInTheWindowMarkThePoolDownUntilItsCoolDown() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(fastSupervision(2, Duration.ZERO)));
        for (int i = 0; i < 3; i++) {
            pool.send("poison", "crash " + i);
            int crashes = i + 1;
            await().atMost(WAIT).until(() -> this.deadLetters.size() == crashes);
            if (i < 2) {
                await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 2);
            }
        }

        await().atMost(WAIT).until(() -> pool.state() == WorkerPool.State.DOWN);
        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.send("echo", 1))
            .withMessageContaining("Pool 'faulty' is down: 3 worker crashes within PT1M")
            .withMessageContaining("exited with code 13")
            .withMessageContaining("retries in PT2S");
        await().atMost(WAIT).until(() -> pool.state() == WorkerPool.State.RUNNING);
        assertBackToSize(pool);
    }

    @Test
    void downPoolComesBackOnAnExplicitRestart() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(
                restarting(Duration.ofMillis(50), Duration.ofMillis(200), 1, Duration.ofHours(1))));
        pool.send("poison", "1");
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 2);
        pool.send("poison", "2");
        await().atMost(WAIT).until(() -> pool.state() == WorkerPool.State.DOWN);

        pool.restart();

        assertBackToSize(pool);
    }

    @Test
    void aRestartStartsAWorkerWaitingOutItsBackoffAtOnceAndAStoppedPoolRefusesIt() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(
                restarting(Duration.ofMinutes(2), Duration.ofMinutes(2), 10, Duration.ofSeconds(2))));
        pool.send("poison", "1");
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1); // its slot waits two minutes for a new worker
        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);

        pool.restart();

        assertBackToSize(pool); // within WAIT, well before the backoff ends
        this.pools.close();
        assertThatIllegalStateException().isThrownBy(pool::restart)
            .withMessage("Pool 'faulty' is STOPPED and cannot be restarted");
    }

    @Test
    void aPoolListenerThatFailsNeitherStopsTheOthersNorTheWorkersReplacement() throws Exception {
        List<Integer> exits = new CopyOnWriteArrayList<>();
        PoolListener failing = new PoolListener() {
            @Override
            public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String state) {
                throw new AssertionError("a bug in an application's event listener");
            }
        };
        PoolListener counting = new PoolListener() {
            @Override
            public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String state) {
                exits.add(exitCode);
            }
        };
        WorkerPool pool = start(UnaryOperator.identity(), List.of(failing, counting));

        assertThat(failureOf(pool.request("poison", "the test", Object.class))).isInstanceOf(ProcessExitedException.class);
        await().atMost(WAIT).until(() -> !exits.isEmpty()); // told after the request failed
        assertThat(exits).containsExactly(13);
        assertBackToSize(pool);
    }
}
