package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.Processes;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker that hangs, or runs a listener past the handler timeout, is killed and replaced; one that is
 * only slow, or held back by the parent's own listeners, is not. Requests whose callers stopped waiting
 * are not run.
 */
class HungWorkerTest extends FaultInjectionFixture {

    @Test
    void aWorkerThatOutrunsTheParentsListenersIsHeldBackNotTakenForHung() {
        WorkerPool pool = start((settings) -> settings);
        List<Long> before = pool.workerPids();
        int messages = 4_000; // more than the parent queues: it stops reading each worker for ~3 s

        this.pools.broadcast("faulty", "flood", messages);

        await().atMost(Duration.ofSeconds(60)).until(() -> this.flooded.get() == 2 * messages);
        assertThat(pool.workerPids()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(pool.snapshot().restarts()).isZero();
    }

    @Test
    void largeMessagesAreHeldBackByTheirSizeNotOnlyTheirNumber() throws Exception {
        AtomicInteger taken = new AtomicInteger();
        PoolListener counting = new PoolListener() {

            @Override
            public void messageReceived(String pool, String topic) {
                if (topic.equals("bulky")) {
                    taken.incrementAndGet();
                }
            }
        };
        WorkerPool pool = start((settings) -> settings, List.of(counting));
        int messages = 200; // 100 MiB of 512 KiB messages; the parent queues 32 MiB of them from one worker

        pool.send("flood-bulky", messages); // to one of the two workers

        await().atMost(WAIT).until(() -> pool.currentWorkers().stream().anyMatch(PoolWorker::isHeldBack));
        Thread.sleep(500);
        assertThat(taken.get()).isBetween(64, 70); // the running one, 32 MiB queued, the one waiting for room
        this.bulkyRelease.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> this.bulky.get() == messages);
        assertThat(taken.get()).isEqualTo(messages);
        assertThat(pool.snapshot().restarts()).isZero();
    }

    /** Waits until the count has not moved for half a second. */
    private static void awaitSteady(AtomicInteger count) {
        int[] last = { -1 };
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            int now = count.get();
            boolean steady = now == last[0];
            last[0] = now;
            return steady;
        });
    }

    @Test
    void requestsWhoseCallersStoppedWaitingAreNotRunWhenTheirWorkerReachesThem() throws Exception {
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), 1, settings.workerClass(),
                settings.jvmArgs(), settings.environment(), settings.routing(), settings.maxInFlight(),
                settings.maxWaiting(), Duration.ofMillis(500), settings.acquireTimeout(), settings.startTimeout(),
                settings.stopTimeout(), settings.supervision(), settings.recycling(), settings.delivery()));
        // a fresh worker's first request may take longer than 500 ms on a busy machine
        assertThat(pool.request("note", -1, Integer.class, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
        CompletableFuture<Long> slow = pool.request("sleep", 1_500, Long.class);
        List<CompletableFuture<Integer>> behind = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            behind.add(pool.request("note", n, Integer.class)); // queued behind the slow one
        }

        for (CompletableFuture<Integer> request : behind) {
            assertThat(failureOf(request)).isInstanceOf(IpcTimeoutException.class)
                .hasMessage("Request 'note' to pool 'faulty' got no reply within PT0.5S");
        }
        assertThat(failureOf(slow)).isInstanceOf(IpcTimeoutException.class);
        // once the slow one is done, the worker answers the expired ones without running them
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);
        assertThat(pool.request("note", 99, Integer.class).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(99);
        await().atMost(WAIT).until(() -> this.noted.contains(99));
        assertThat(this.noted).containsExactly(-1, 99);
        assertThat(this.deadLetters).isEmpty();
    }

    @Test
    void aCallerCallbackThatBlocksTheReaderPastTheHeartbeatTimeoutGetsNoHealthyWorkerKilled() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity()); // heartbeat timeout 1 s
        List<Long> before = pool.workerPids();
        CompletableFuture<Long> reply = pool.request("sleep", 200, Long.class);
        // attached before the reply arrives, so it runs on the reader thread that completes the request
        CompletableFuture<Long> blocked = reply.thenApply((pid) -> {
            sleep(Duration.ofSeconds(3));
            return pid;
        });

        assertThat(blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isIn(before);
        assertThat(pool.request("echo", "after", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("after");
        assertThat(pool.workerPids()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(pool.restartCount()).isZero();
    }

    @Test
    void stoppedWorkerMissesItsHeartbeatsAndIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        CompletableFuture<Long> request = pool.request("sleep", 60_000, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);
        long frozen = pool.currentWorkers().stream().filter((w) -> w.inFlight() == 1).findFirst().orElseThrow().getId();

        signal("STOP", frozen);

        assertThat(failureOf(request)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("pid " + frozen + ") was killed (no heartbeat for more than PT1S: hung or stopped)")
            .hasMessageContaining("while request 'sleep' was in flight");
        assertBackToSize(pool);
    }

    @Test
    void aSupervisionRunThatFailsIsLoggedAndSupervisionGoesOn() throws Exception {
        // due for recycling after one message, with an executor that refuses its replacement: every look fails
        WorkerPool pool = start((settings) -> oneWorker(settings).withRecycling(new PoolSettings.Recycling(1, 0, 0, 0)));
        try (CapturedLog log = new CapturedLog(PoolSupervisor.class)) {
            long pid = pool.request("sleep", 0, Long.class).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ((ExecutorService) pool.executor()).shutdownNow();
            await().atMost(WAIT).until(() -> !log.messages().isEmpty());
            String first = "Supervising pool 'faulty' failed; it goes on at the next heartbeat interval";
            assertThat(log.messages()).first().isEqualTo(first);
            assertThat(log.tracedMessages()).first().isEqualTo(first); // with its stack trace; the lines after it: FailureStreakTest

            signal("STOP", pid);

            // the pool records the exit as its reader sees the connection end, a moment after the process has gone
            await().atMost(WAIT).untilAsserted(() -> assertThat(pool.snapshot().workers().get(0).lastExitCause())
                .contains("was killed (no heartbeat for more than PT1S: hung or stopped)"));
            assertThat(isAlive(pid)).isFalse();
        }
    }

    @Test
    void handlerThatLoopsForeverIsKilledAtTheHandlerTimeoutAndTheRequestTimesOutNamingTheTopic() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(fastSupervision(10, Duration.ofSeconds(1))));

        assertThat(failureOf(pool.request("spin", null, Object.class))).isInstanceOf(IpcTimeoutException.class)
            .hasMessageContaining("Handler for 'spin' on worker faulty-")
            .hasMessageContaining("ran longer than the handler timeout of PT1S");
        assertBackToSize(pool);
    }

    @Test
    void aWorkerIsKilledAtTheHandlerTimeoutRatherThanAtItsNextHeartbeatInterval() throws Exception {
        // heartbeats every 20 s: a check made with them would kill the worker some 20 s after its listener began
        WorkerPool pool = start((settings) -> settings.withSupervision(new PoolSettings.Supervision(Duration.ofMillis(50),
                Duration.ofMillis(200), 10, Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofSeconds(20),
                Duration.ofSeconds(40), Duration.ofSeconds(2))));
        Set<Long> workers = Set.copyOf(pool.currentWorkers().stream().map(PoolWorker::getId).toList());
        // each well under the timeout, one after another on each worker: longer than it only together
        List<CompletableFuture<Long>> oneAfterAnother = IntStream.range(0, 12)
            .mapToObj((i) -> pool.request("sleep", 400, Long.class))
            .toList();
        for (CompletableFuture<Long> request : oneAfterAnother) {
            assertThat(request.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isIn(workers);
        }

        long sent = System.nanoTime();
        assertThat(failureOf(pool.request("spin", null, Object.class))).isInstanceOf(IpcTimeoutException.class)
            .hasMessageContaining("ran longer than the handler timeout of PT2S");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(10));
        assertBackToSize(pool);
    }

    @Test
    void aWorkerIsNotKilledForAMessageAnsweredSinceItWasJudgedToRunTooLong() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        CompletableFuture<Long> request = pool.request("sleep", 300, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);
        PoolWorker worker = pool.currentWorkers().stream().filter((w) -> w.inFlight() == 1).findFirst().orElseThrow();
        InFlight judged = Objects.requireNonNull(worker.running());
        long pid = request.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(worker.killForRunning(judged, "judged too late", new IpcTimeoutException("judged too late"))).isFalse();
        Thread.sleep(500);
        assertThat(Processes.isAlive(pid)).isTrue();
        assertThat(pool.currentWorkers()).contains(worker);
    }

    @Test
    void aWorkerStalledByAParentListenerAnsweringEachMessageOfItsStreamIsKilledAndReplaced() throws Exception {
        // the answers fill the worker's socket, the parent's listener waits to write, its queue for the
        // worker fills, the parent stops reading it, and the worker waits to send: nobody moves any more
        assertStalledKilledAndReplaced("stream");
    }

    @Test
    void aWorkerStalledByAParentListenerSendingToItForEachMessageOfItsStreamIsKilledAndReplaced() throws Exception {
        assertStalledKilledAndReplaced("stream-told"); // ChildProcess.sendMessage in place of a return value
    }

    /**
     * A worker streaming 200,000 messages on the topic's stream from one listener call. The parent's
     * listeners go on with what it sent before it was killed, up to 1,024 messages, each answer to it
     * failing: one line says so (there was one with a stack trace for each).
     */
    private void assertStalledKilledAndReplaced(String streamTopic) throws Exception {
        List<String> lostAnswers = new CopyOnWriteArrayList<>();
        PoolListener counting = new PoolListener() {

            @Override
            public void answerLost(String pool, String topic) {
                lostAnswers.add(pool + "/" + topic);
            }
        };
        try (CapturedLog log = new CapturedLog(InboundDispatcher.class)) {
            WorkerPool pool = start(UnaryOperator.identity(), List.of(counting));
            assertThat(failureOf(pool.request(streamTopic, 200_000, Object.class))).isInstanceOf(ProcessExitedException.class)
                .hasMessageContaining("was killed (stalled: a parent listener has waited");
            assertBackToSize(pool);
            awaitSteady(this.streamedHandled); // the dead worker's messages, all through the listeners
            assertThat(log.messages()).singleElement(as(InstanceOfAssertFactories.STRING))
                .matches("The parent's answer to '(streamed|told)' was not sent: Worker faulty-\\d \\(pid \\d+\\) .* before "
                        + "(the reply 'streamed'|message 'echo') could be sent\\. Its messages still queued are handled; answers to them "
                        + "are dropped without a line each");
            // each answer to what the dead worker had sent: many, and no more than the messages handled
            assertThat(lostAnswers).hasSizeBetween(2, this.streamedHandled.get())
                .containsOnly("faulty/" + (streamTopic.equals("stream") ? "streamed" : "told"));
        }
    }
}
