package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.OwnThread;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workers killed, recycled, restarted and stopped while callers keep sending from several threads:
 * every send, broadcast copy and request is accounted for, by its answer, its failure or a dead letter.
 */
class KilledUnderLoadTest extends FaultInjectionFixture {

    static Stream<Arguments> killedUnderLoad() {
        return Stream.of(Arguments.of(PoolSettings.DeliveryMode.FAIL, PoolSettings.Recycling.NEVER, false),
                Arguments.of(PoolSettings.DeliveryMode.REDELIVER, PoolSettings.Recycling.NEVER, false),
                // recycled every 450 to 750 messages as well: kills meet replacements under way
                Arguments.of(PoolSettings.DeliveryMode.REDELIVER, new PoolSettings.Recycling(600, 0.25, 0, 0), false),
                // rolling restarts one after another meanwhile: kills meet those replacements
                Arguments.of(PoolSettings.DeliveryMode.REDELIVER, PoolSettings.Recycling.NEVER, true));
    }

    @ParameterizedTest
    @MethodSource("killedUnderLoad")
    void workersKilledOverAndOverUnderLoadLoseNoMessageWithoutATrace(PoolSettings.DeliveryMode mode,
            PoolSettings.Recycling recycling, boolean rollingRestarts) throws Exception {
        WorkerPool pool = start((settings) -> settings.withDelivery(new PoolSettings.DeliveryPolicy(mode, 10))
            .withSupervision(fastSupervision(100, Duration.ZERO))
            .withRecycling(recycling));
        AtomicBoolean killing = new AtomicBoolean(true);
        List<Integer> sent = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Integer>> replies = new CopyOnWriteArrayList<>();
        ExecutorService load = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> loads = new ArrayList<>();
            for (int sender = 0; sender < 2; sender++) {
                int first = sender;
                loads.add(load.submit(() -> {
                    for (int n = first; killing.get(); n += 2) {
                        pool.send("echo", n);
                        sent.add(n);
                        if (n % 64 < 2) {
                            Thread.sleep(1);
                        }
                    }
                    return null;
                }));
            }
            loads.add(load.submit(() -> {
                for (int n = -1; killing.get(); n--) {
                    replies.add(pool.request("echo", n, Integer.class));
                    Thread.sleep(1);
                }
                return null;
            }));
            CompletableFuture<Void> restarts = OwnThread.run(() -> {
                while (rollingRestarts && killing.get()) {
                    pool.rollingRestart();
                }
            });
            // five SIGKILLs while the load runs, each of a worker serving it (later when replacements
            // are to get under way meanwhile)
            killWorkersInTurn(pool, 5, Duration.ofMillis(recycling.isEnabled() || rollingRestarts ? 500 : 150));
            if (recycling.isEnabled()) {
                // a busy machine may send too slowly for a recycle between the kills: the load goes on until one
                await().atMost(WAIT).until(() -> pool.recycleCount() > 0);
            }
            killing.set(false);
            for (Future<?> each : loads) {
                each.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            restarts.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        finally {
            killing.set(false);
            load.shutdownNow();
        }

        // every send was handled (its echo came back) or is a dead letter; a request has its answer
        // or, when its worker died with it, fails saying so (is redelivered until answered, when so set)
        await().atMost(WAIT).untilAsserted(() -> assertThat(unaccountedFor(sent)).isEmpty());
        int failedRequests = 0;
        for (int i = 0; i < replies.size(); i++) {
            CompletableFuture<Integer> reply = replies.get(i);
            reply.handle((answer, failure) -> null).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (mode == PoolSettings.DeliveryMode.REDELIVER || !reply.isCompletedExceptionally()) {
                assertThat(reply.get()).isEqualTo(-i - 1);
            }
            else {
                failedRequests++;
                assertThat(failureOf(reply)).isInstanceOfSatisfying(ProcessExitedException.class,
                        (exited) -> assertThat(exited.getExitCode()).isEqualTo(137));
            }
        }
        if (mode == PoolSettings.DeliveryMode.REDELIVER) {
            assertThat(this.deadLetters).isEmpty();
        }
        else {
            // the kills found work in flight (hundreds of messages in the runs seen)
            assertThat(this.deadLetters.size() + failedRequests).isPositive();
            assertThat(this.deadLetters).allSatisfy((letter) -> assertThat(letter.reason())
                .contains("exited with code 137 (SIGKILL, as from kill -9 or the kernel's out-of-memory killer) while "
                    + "message 'echo' was in flight"));
        }
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        assertBackToSize(pool); // a restart is counted once its worker is in place, after the last kill's too
        if (recycling.isEnabled() || rollingRestarts) {
            // a worker killed while being replaced needs no restart: its replacement has its slot
            assertThat(pool.restartCount()).isBetween(1L, 5L);
            assertThat(pool.recycleCount()).isPositive();
        }
        else {
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool.restartCount()).isEqualTo(5));
        }
    }

    @Test
    void broadcastsWhileWorkersAreKilledReachAsManyAsTheySayEachCopyHandledOrADeadLetter() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(fastSupervision(100, Duration.ZERO)));
        AtomicBoolean killing = new AtomicBoolean(true);
        Map<Integer, Integer> reached = new ConcurrentHashMap<>();
        CompletableFuture<Void> broadcaster = OwnThread.run(() -> {
            for (int n = 0; killing.get(); n++) {
                reached.put(n, pool.broadcast("echo", n));
                if (n % 32 == 0) {
                    sleep(Duration.ofMillis(1));
                }
            }
        });
        killWorkersInTurn(pool, 3, Duration.ofMillis(150));
        killing.set(false);
        broadcaster.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // each copy a broadcast says it delivered was handled or is a dead letter; none was handled twice
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        await().atMost(WAIT).untilAsserted(() -> {
            Map<Integer, Integer> accounted = new HashMap<>();
            this.echoed.forEach((payload) -> accounted.merge(((Number) payload).intValue(), 1, Integer::sum));
            Map<Integer, Integer> handled = Map.copyOf(accounted);
            this.deadLetters.forEach((letter) -> accounted.merge(letter.message().payloadAs(Integer.class), 1, Integer::sum));
            reached.forEach((n, copies) -> {
                assertThat(accounted.getOrDefault(n, 0)).as("copies of broadcast %d accounted for", n)
                    .isGreaterThanOrEqualTo(copies);
                assertThat(handled.getOrDefault(n, 0)).as("copies of broadcast %d handled", n).isLessThanOrEqualTo(copies);
            });
        });
        assertThat(reached.values()).allSatisfy((copies) -> assertThat(copies).isBetween(0, 2)).contains(2);
        assertBackToSize(pool);
    }

    @Test
    void requestsWithShortTimeoutsWhileWorkersAreKilledEndInAnAnswerOrATimeoutNeverInNothing() throws Exception {
        WorkerPool pool = start((settings) -> settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 10))
            .withSupervision(fastSupervision(100, Duration.ZERO))
            .withRequestTimeout(Duration.ofMillis(150)));
        AtomicBoolean killing = new AtomicBoolean(true);
        List<CompletableFuture<Long>> replies = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> requesters = new ArrayList<>();
        for (int requester = 0; requester < 4; requester++) {
            requesters.add(OwnThread.run(() -> {
                for (int n = 0; killing.get(); n++) {
                    CompletableFuture<Long> reply = pool.request("sleep", n % 5 * 10, Long.class); // 0 to 40 ms
                    replies.add(reply);
                    reply.handle((answer, failure) -> null).join(); // four at a time: no backlog of its own
                }
            }));
        }
        killWorkersInTurn(pool, 4, Duration.ofMillis(200));
        // on a busy machine every request between the kills may time out: they go on until one is answered
        await().atMost(WAIT).until(() -> replies.stream().anyMatch((reply) -> reply.isDone() && !reply.isCompletedExceptionally()));
        killing.set(false);
        for (CompletableFuture<Void> requester : requesters) {
            requester.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        int answered = 0;
        int timedOut = 0;
        for (CompletableFuture<Long> reply : replies) {
            reply.handle((answer, failure) -> null).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (reply.isCompletedExceptionally()) {
                // the pool's timer says so, or, when a busy machine holds the timer up, the worker that
                // reached the request after its deadline (and so did not run it)
                assertThat(failureOf(reply)).isInstanceOf(IpcTimeoutException.class);
                assertThat(failureOf(reply).getMessage()).containsAnyOf("got no reply within PT0.15S",
                        "before the worker reached it, so it did not run");
                timedOut++;
            }
            else {
                answered++;
            }
        }
        assertThat(answered).isPositive();
        assertThat(this.deadLetters).isEmpty();
        await().atMost(WAIT).until(() -> pool.inFlight() == 0 && pool.usableWorkers().size() == 2);
        this.seenPids.addAll(pool.workerPids()); // a request to them might outlast the 150 ms of a fresh JVM
    }

    @Test
    void aPoolStoppedUnderLoadAccountsForEverySend() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        this.seenPids.addAll(pool.workerPids());
        List<Integer> sent = new CopyOnWriteArrayList<>();
        List<Integer> refused = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int sender = 0; sender < 3; sender++) {
            int first = sender;
            senders.add(OwnThread.run(() -> {
                for (int n = first;; n += 3) {
                    try {
                        pool.send("echo", n);
                    }
                    catch (PoolUnavailableException ex) {
                        refused.add(n); // this sender's last
                        return;
                    }
                    sent.add(n);
                    if (n % 96 < 3) {
                        sleep(Duration.ofMillis(1));
                    }
                }
            }));
        }
        await().atMost(WAIT).until(() -> sent.size() > 5_000);

        pool.stop();

        // a send either returned, and was then handled or is a dead letter, or was refused and not sent
        for (CompletableFuture<Void> sender : senders) {
            sender.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(refused).hasSize(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(unaccountedFor(sent)).isEmpty());
        assertThat(this.echoed).extracting((payload) -> ((Number) payload).intValue()).doesNotContainAnyElementsOf(refused);
        assertThat(this.deadLetters).allSatisfy((letter) -> assertThat(letter.reason()).contains("stopped before"));
        assertThat(pool.inFlight()).isZero();
        assertThat(pool.workerPids()).isEmpty();
    }

    /**
     * SIGKILLs one of the pool's two workers, in turn, {@code kills} times: each once both are live
     * again, after a pause.
     */
    private void killWorkersInTurn(WorkerPool pool, int kills, Duration pause) throws Exception {
        for (int kill = 0; kill < kills; kill++) {
            await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 2);
            Thread.sleep(pause.toMillis());
            long victim = pool.workerPids().get(kill % 2);
            this.seenPids.add(victim);
            signal("KILL", victim);
        }
    }

    @Test
    void rollingRestartUnderLoadReplacesEveryWorkerWithNoFailedRequest() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> before = pool.workerPids();
        List<CompletableFuture<Long>> replies = new CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                replies.add(pool.request("sleep", 20, Long.class));
                try {
                    Thread.sleep(5);
                }
                catch (InterruptedException ex) {
                    return;
                }
            }
        });
        load.start();
        try {
            pool.rollingRestart();
        }
        finally {
            load.interrupt();
            load.join();
        }

        assertThat(replies).hasSizeGreaterThan(10);
        for (CompletableFuture<Long> reply : replies) {
            assertThat(reply.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isPositive();
        }
        assertThat(pool.workerPids()).hasSize(2).doesNotContainAnyElementsOf(before);
        assertThat(pool.restartCount()).isZero();
        assertBackToSize(pool);
    }
}
