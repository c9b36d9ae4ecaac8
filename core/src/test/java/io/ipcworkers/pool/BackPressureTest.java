package io.ipcworkers.pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.OwnThread;
import io.ipcworkers.PoolUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Callers wait for room on full workers, up to the acquire timeout (a request: its own timeout) and
 * the waiting limit, take room any worker frees, are told at once when the pool stops, and lose nothing;
 * broadcasts take room like sends; a topic no worker listens to is refused without waiting.
 */
class BackPressureTest extends FaultInjectionFixture {

    @Test
    void aSendWhileThePoolsOnlyWorkerIsBeingRestartedFailsAfterTheAcquireTimeoutSayingWhy() throws Exception {
        // one worker, replaced only after 3 s; senders wait 300 ms for a worker
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), 1, settings.workerClass(),
                settings.jvmArgs(), settings.environment(), settings.routing(), settings.maxInFlight(),
                settings.maxWaiting(), settings.requestTimeout(), Duration.ofMillis(300), settings.startTimeout(),
                settings.stopTimeout(), restarting(Duration.ofSeconds(3), Duration.ofSeconds(3), 10, Duration.ofSeconds(2)),
                settings.recycling(), settings.delivery()));
        long victim = pool.workerPids().get(0);
        this.seenPids.add(victim);

        signal("KILL", victim);
        await().atMost(WAIT).until(() -> pool.usableWorkers().isEmpty());

        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.send("echo", 1))
            .withMessage("Pool 'faulty' has no live worker for 'echo' after waiting PT0.3S (workers are being "
                    + "restarted; the log says why they exited)");
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1);
        assertThat(pool.request("echo", "back", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("back");
    }

    @Test
    void aLargeMessageToAWorkerWhoseListenerRunsDoesNotHoldItsSenderUntilTheListenerReturns() throws Exception {
        WorkerPool pool = start(FaultInjectionFixture::oneWorker); // heartbeats every 200 ms
        this.seenPids.addAll(pool.workerPids());
        CompletableFuture<Long> sleeping = pool.request("sleep", 5_000, Long.class);
        await().atMost(WAIT).until(() -> pool.snapshot().workers().get(0).inFlight() == 1);

        String large = "x".repeat(512 * 1024); // far more than the socket holds
        pool.send("echo", large);
        pool.send("echo", large);
        // the worker's heartbeat thread read them while the listener slept; before, the first send waited for it
        assertThat(sleeping).isNotDone();
        assertThat(sleeping.get(10, TimeUnit.SECONDS)).isEqualTo(pool.workerPids().get(0));
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        assertThat(this.deadLetters).isEmpty();
    }

    @Test
    void burstOfSendsAgainstSlowWorkersStaysBoundedAndLosesNothing() throws Exception {
        int messages = 100_000;
        int maxInFlight = 64;
        WorkerPool pool = start((settings) -> settings.withLimits(maxInFlight, 1000, Duration.ofSeconds(60)));
        AtomicInteger maxSeen = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxSeen.accumulateAndGet(pool.inFlight(), Math::max);
                Thread.onSpinWait();
            }
        });
        sampler.start();
        try {
            for (long i = 0; i < messages; i++) {
                pool.send("work", i);
            }
            await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        }
        finally {
            sampler.interrupt();
        }
        pool.broadcast("report", null);
        await().atMost(WAIT).until(() -> this.counted.size() == 2);

        long count = this.counted.values().stream().mapToLong((r) -> ((Number) r.get("count")).longValue()).sum();
        long sum = this.counted.values().stream().mapToLong((r) -> ((Number) r.get("sum")).longValue()).sum();
        assertThat(count).isEqualTo(messages);
        assertThat(sum).as("each message exactly once").isEqualTo((long) messages * (messages - 1) / 2);
        assertThat(maxSeen.get()).isPositive().isLessThanOrEqualTo(2 * maxInFlight);
    }

    @Test
    void manyCallersWaitingForRoomAtOnceLoseNothingAndKeepTheLimit() throws Exception {
        int senders = 4;
        int perSender = 5_000;
        int maxInFlight = 8; // tiny: every sender keeps waiting for room, reading a worker or woken
        WorkerPool pool = start((settings) -> settings.withLimits(maxInFlight, 100, WAIT));
        AtomicInteger maxSeen = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(senders + 1);
        try {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int t = 0; t < senders; t++) {
                long first = (long) t * perSender;
                running.add(CompletableFuture.runAsync(() -> {
                    for (long value = first; value < first + perSender; value++) {
                        pool.send("work", value);
                        maxSeen.accumulateAndGet(pool.inFlight(), Math::max);
                    }
                }, threads));
            }
            running.add(CompletableFuture.runAsync(() -> { // requests among them: each gets its own reply
                for (int i = 0; i < 200; i++) {
                    assertThat(pool.request("echo", i, Integer.class).join()).isEqualTo(i);
                }
            }, threads));
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        finally {
            threads.shutdownNow();
        }
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);

        pool.broadcast("report", null);
        await().atMost(WAIT).until(() -> this.counted.size() == 2);
        long messages = (long) senders * perSender;
        long count = this.counted.values().stream().mapToLong((r) -> ((Number) r.get("count")).longValue()).sum();
        long sum = this.counted.values().stream().mapToLong((r) -> ((Number) r.get("sum")).longValue()).sum();
        assertThat(count).isEqualTo(messages);
        assertThat(sum).as("each message exactly once").isEqualTo(messages * (messages - 1) / 2);
        assertThat(maxSeen.get()).isLessThanOrEqualTo(2 * maxInFlight);
        assertThat(pool.restartCount()).isZero();
    }

    @Test
    void broadcastsTakeRoomLikeSendsAndLoseNothing() throws Exception {
        int broadcasts = 2_000;
        int maxInFlight = 8;
        WorkerPool pool = start((settings) -> settings.withLimits(maxInFlight, 10, WAIT));
        for (PoolWorker worker : pool.currentWorkers()) {
            pool.sendTo(worker, Message.of("sleep", 300L)); // both asleep: the first broadcasts fill them
        }
        AtomicInteger maxSeen = new AtomicInteger();

        for (long i = 0; i < broadcasts; i++) {
            assertThat(pool.broadcast("work", i)).isEqualTo(2);
            maxSeen.accumulateAndGet(pool.inFlight(), Math::max);
        }

        assertThat(maxSeen.get()).isLessThanOrEqualTo(2 * maxInFlight);
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        pool.broadcast("report", null);
        await().atMost(WAIT).until(() -> this.counted.size() == 2);
        assertThat(this.counted.values()).allSatisfy((report) -> {
            assertThat(((Number) report.get("count")).longValue()).isEqualTo(broadcasts);
            assertThat(((Number) report.get("sum")).longValue()).as("each message exactly once")
                .isEqualTo((long) broadcasts * (broadcasts - 1) / 2);
        });
    }

    @Test
    void broadcastCopiesQueuedBehindALongListenerStayWithTheirWorkerWhileTheOtherIsIdle() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        pool.sendTo(pool.currentWorkers().get(0), Message.of("sleep", 600L));
        for (long i = 0; i < 10; i++) {
            pool.broadcast("work", i);
        }

        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        pool.broadcast("report", null);
        await().atMost(WAIT).until(() -> this.counted.size() == 2);
        // the other worker was idle at once, and rebalancing took half the sleeper's copies for it: checked
        assertThat(this.counted.values()).allSatisfy((report) -> {
            assertThat(((Number) report.get("count")).longValue()).isEqualTo(10);
            assertThat(((Number) report.get("sum")).longValue()).isEqualTo(45);
        });
        assertThat(pool.rebalancer().moved()).isZero();
    }

    @Test
    void aBroadcastThatFindsAWorkerFullPastTheAcquireTimeoutSaysHowManyWorkersItReached() {
        Duration acquireTimeout = Duration.ofMillis(500);
        WorkerPool pool = start((settings) -> settings.withLimits(1, 10, acquireTimeout).withSupervision(quietSupervision()));
        PoolWorker sleeper = pool.currentWorkers().get(0);
        long other = pool.currentWorkers().get(1).getId();
        pool.sendTo(sleeper, Message.of("sleep", 3_000L));
        long started = System.nanoTime();

        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.broadcast("report", null))
            .withMessage("Pool 'faulty' is busy: " + sleeper.describeLowercase() + " has 1 messages in flight and none "
                    + "finished within PT0.5S; 'report' reached 1 of 2 workers");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(acquireTimeout);
        await().atMost(WAIT).until(() -> this.counted.containsKey(other));
        assertThat(this.counted).containsOnlyKeys(other);
        // the sleeper's message alone: the other worker's acknowledgement may be a moment behind its report
        await().atMost(WAIT).untilAsserted(() -> assertThat(pool.inFlight()).as("no reservation left behind").isEqualTo(1));
    }

    @Test
    void aCallerWaitingForRoomGivesUpAtTheAcquireTimeoutNotLater() throws Exception {
        Duration acquireTimeout = Duration.ofSeconds(2);
        WorkerPool pool = start((settings) -> settings.withLimits(1, 10, acquireTimeout).withSupervision(quietSupervision()));
        List<PoolWorker> workers = pool.currentWorkers();
        for (PoolWorker worker : workers) {
            pool.sendTo(worker, Message.of("sleep", 60_000L)); // every worker full past the test
        }
        long started = System.nanoTime();

        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.send("echo", 1))
            .withMessage("Pool 'faulty' is busy: every worker has 1 messages in flight and none finished within PT2S "
                    + "('echo' was not sent)");

        // the caller read a full worker's connection until the deadline, and used to wait as long again after it
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(acquireTimeout, Duration.ofMillis(3_500));
        for (PoolWorker worker : workers) {
            signal("KILL", worker.getId()); // rather than have the pool's stop wait for them
        }
    }

    @Test
    void aRequestsTimeoutCountsFromTheCallSoItsWaitForRoomEndsWithItAndTakesFromItsReplysTime() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(1, 10, WAIT).withSupervision(quietSupervision()));
        List<PoolWorker> workers = pool.currentWorkers();
        workers.forEach((worker) -> pool.sendTo(worker, Message.of("sleep", 1_000L))); // both full for a second or more
        long started = System.nanoTime();

        // not kept waiting for room until the acquire timeout (WAIT), nor until a worker has room
        assertThatExceptionOfType(PoolUnavailableException.class)
            .isThrownBy(() -> pool.request("echo", 1, Long.class, Duration.ofMillis(300)))
            .withMessage("Pool 'faulty' is busy: every worker has 1 messages in flight and none finished within "
                    + "the request's timeout of PT0.3S ('echo' was not sent)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);

        // the workers warm now, both full for 2 s again: the request waits ~2 s for room (within its 3 s,
        // and past the 1 s it can spare), then runs 2 s; its reply would be in time counted from the send,
        // but it is due 3 s after the call
        workers.forEach((worker) -> pool.sendTo(worker, Message.of("sleep", 2_000L)));
        CompletableFuture<Long> late = pool.request("sleep", 2_000L, Long.class, Duration.ofSeconds(3));
        assertThat(late).isNotDone();
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> late.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .havingCause().isInstanceOf(IpcTimeoutException.class)
            .withMessage("Request 'sleep' to pool 'faulty' got no reply within PT3S");
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
    }

    @Test
    void aMessageForATopicNoWorkerListensToIsRefusedWithoutWaitingForRoom() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(1, 10, WAIT).withSupervision(quietSupervision()));
        List<PoolWorker> workers = pool.currentWorkers();
        for (PoolWorker worker : workers) {
            pool.sendTo(worker, Message.of("sleep", 60_000L)); // every worker full past the test
        }

        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> pool.send("nope", null))
            .withMessageStartingWith("No listener for topic 'nope' in pool 'faulty' (its workers listen to [");
        assertThat(pool.request("nope", null, Object.class)).isCompletedExceptionally()
            .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
            .havingCause().isInstanceOf(NoListenerException.class);
        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> pool.broadcast("nope", null));

        // refused while every worker is still full (waiting for room would have failed after WAIT)
        assertThat(workers).allSatisfy((worker) -> assertThat(worker.handledCount()).isZero());
        assertThat(pool.waitingCallers()).isZero();
        for (PoolWorker worker : workers) {
            signal("KILL", worker.getId()); // rather than have the pool's stop wait for them
        }
    }

    @Test
    void aMessageForATopicNoWorkerListensToIsRefusedWhileEveryWorkerIsBeingReplaced(@TempDir Path dir) {
        // one worker, restarted two minutes after a crash
        WorkerPool pool = start((settings) -> gated(settings, dir.resolve("gate"), Duration.ofSeconds(30),
                restarting(Duration.ofMinutes(2), Duration.ofMinutes(2), 10, Duration.ofMinutes(1))));
        pool.send("poison", "1");
        await().atMost(WAIT).until(() -> pool.usableWorkers().isEmpty() && this.deadLetters.size() == 1);
        long started = System.nanoTime();

        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> pool.send("nope", null))
            .withMessageStartingWith("No listener for topic 'nope' in pool 'faulty' (its workers listen to [");
        assertThat(pool.request("nope", null, Object.class)).isCompletedExceptionally();
        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> pool.broadcast("nope", null));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10)); // not 30 s
        assertThat(pool.waitingCallers()).isZero();
    }

    @Test
    void aBroadcastWaitingForRoomWhenThePoolStopsSaysHowManyWorkersItReached() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(1, 10, WAIT).withSupervision(quietSupervision()));
        pool.sendTo(pool.currentWorkers().get(0), Message.of("sleep", 3_000L));
        CompletableFuture<Integer> broadcast = OwnThread.supply(() -> pool.broadcast("report", null));
        await().atMost(WAIT).until(() -> this.counted.size() == 1);
        assertThat(broadcast).isNotDone();

        CompletableFuture<Void> stopping = OwnThread.run(pool::stop); // waits for the sleeper

        assertThat(broadcast).failsWithin(Duration.ofSeconds(2)).withThrowableOfType(ExecutionException.class)
            .havingCause().isInstanceOf(PoolUnavailableException.class)
            .withMessage("Pool 'faulty' is stopping; 'report' reached 1 of 2 workers");
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aBroadcastWaitingForRoomOnAWorkerThatDiesGoesOnWithoutIt() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(1, 10, WAIT).withSupervision(quietSupervision()));
        PoolWorker victim = pool.currentWorkers().get(0);
        long other = pool.currentWorkers().get(1).getId();
        pool.sendTo(victim, Message.of("sleep", 60_000L));
        CompletableFuture<Integer> broadcast = OwnThread.supply(() -> pool.broadcast("report", null));
        await().atMost(WAIT).until(() -> this.counted.containsKey(other));
        sleep(Duration.ofMillis(200));
        assertThat(broadcast).isNotDone();

        signal("KILL", victim.getId());

        assertThat(broadcast.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(this.counted).containsOnlyKeys(other);
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 2);
    }

    /** Heartbeats 30 s apart: nothing but what a test does ends a waiting caller's read of a busy worker. */
    private static PoolSettings.Supervision quietSupervision() {
        return new PoolSettings.Supervision(Duration.ofMillis(50), Duration.ofMillis(200), 10, Duration.ofMinutes(1),
                Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ZERO);
    }

    @Test
    void aCallerWaitingForRoomTakesRoomThatAnyWorkerFrees() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(4, 10, WAIT).withSupervision(quietSupervision()));
        List<PoolWorker> workers = pool.currentWorkers();
        pool.sendTo(workers.get(0), Message.of("sleep", 60_000L)); // the worker a waiting caller reads first
        pool.sendTo(workers.get(1), Message.of("sleep", 200L));

        for (int i = 0; i < 20; i++) { // three more fit each worker; then this caller waits for room
            pool.send("work", i);
        }

        // each send found room, the second worker's, while the first sleeps on (waiting for it fails after WAIT)
        assertThat(workers.get(0).handledCount()).as("messages the first worker handled").isZero();
        signal("KILL", workers.get(0).getId()); // rather than have the pool's stop wait for it
    }

    @Test
    void aCallerWaitingForRoomOnAWorkerThatIsKilledGoesOnWithItsReplacement() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(4, 10, WAIT).withSupervision(quietSupervision()));
        List<PoolWorker> workers = pool.currentWorkers();
        long victim = workers.get(0).getId(); // the worker a waiting caller reads first
        pool.sendTo(workers.get(0), Message.of("sleep", 60_000L));
        pool.sendTo(workers.get(1), Message.of("sleep", 60_000L));
        for (int i = 0; i < 6; i++) {
            pool.send("work", i); // both workers full now
        }
        CompletableFuture<Void> waiting = OwnThread.run(() -> pool.send("work", 6));
        sleep(Duration.ofMillis(300));
        assertThat(waiting).isNotDone();

        signal("KILL", victim);

        waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS); // taken by the victim's replacement
        assertThat(pool.workerPids()).doesNotContain(victim).hasSize(2);
        await().atMost(WAIT).until(() -> this.deadLetters.stream().anyMatch((letter) -> letter.topic().equals("sleep")));
        // it died with messages unread, so its socket was reset: that is no protocol violation
        assertThat(this.deadLetters).allSatisfy((letter) -> assertThat(letter.reason()).contains("exited with code 137"));
        signal("KILL", workers.get(1).getId()); // it would sleep for a minute; stopping waits for what is in flight
    }

    @Test
    void aCallerWaitingForRoomWhenThePoolStopsIsToldAtOnce() throws Exception {
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), settings.workers(),
                settings.workerClass(), settings.jvmArgs(), settings.environment(), settings.routing(), 1, 10,
                settings.requestTimeout(), WAIT, settings.startTimeout(), Duration.ofSeconds(4), quietSupervision(),
                settings.recycling(), settings.delivery()));
        pool.send("sleep", 5_000L);
        pool.send("sleep", 5_000L); // both workers full
        CompletableFuture<Void> waiting = OwnThread.run(() -> pool.send("work", 1));
        sleep(Duration.ofMillis(300));
        assertThat(waiting).isNotDone();

        CompletableFuture<Void> stopping = OwnThread.run(pool::stop); // waits up to 4 s for the sleepers

        assertThat(waiting).failsWithin(Duration.ofSeconds(2)).withThrowableOfType(ExecutionException.class)
            .havingCause().isInstanceOf(PoolUnavailableException.class).withMessageContaining("Pool 'faulty' is stopping");
        stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void fullPoolFailsCallersPastTheWaitingLimitAtOnce() throws Exception {
        WorkerPool pool = start((settings) -> settings.withLimits(1, 0, Duration.ofSeconds(5)));
        CompletableFuture<Long> first = pool.request("sleep", 2000, Long.class);
        CompletableFuture<Long> second = pool.request("sleep", 2000, Long.class);

        assertThatExceptionOfType(PoolUnavailableException.class).isThrownBy(() -> pool.send("echo", 1))
            .withMessageContaining("Pool 'faulty' is overloaded: its workers are full (max-in-flight 1) and 0 callers "
                    + "already wait for room, as many as max-waiting allows ('echo' was not sent)");
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEqualTo(second.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
}
