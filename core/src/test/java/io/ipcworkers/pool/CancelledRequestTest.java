package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.ipcworkers.IpcTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static io.ipcworkers.pool.TestPools.QUICK_RESTART;
import static io.ipcworkers.pool.TestPools.busyPool;
import static io.ipcworkers.pool.TestPools.handledByPool;
import static io.ipcworkers.pool.TestPools.jobsByWorker;
import static io.ipcworkers.pool.TestPools.settleTypicalTime;
import static io.ipcworkers.pool.TestPools.sleeps;
import static io.ipcworkers.pool.TestPools.twoWorkers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A request cancelled, or timed out, is not run when its worker reaches it and frees its room; one its
 * worker has started runs to its end, or is interrupted when the caller or the pool asks for that.
 */
class CancelledRequestTest {

    @Test
    void cancelledRequestsQueuedBehindALongOneAreNotRunAndFreeTheirRoom() throws Exception {
        AtomicInteger cancellations = new AtomicInteger();
        PoolListener counting = new PoolListener() {

            @Override
            public void requestCompleted(String pool, String topic, long nanos, @Nullable Throwable failure) {
                if (failure instanceof CancellationException) {
                    cancellations.incrementAndGet();
                }
            }
        };
        try (WorkerPools busy = busyPool(1, UnaryOperator.identity(), counting)) { // one worker: no rebalancing
            WorkerPool pool = busy.pool("busy");
            long pid = pool.workerPids().get(0);
            CompletableFuture<Long> longOne = busy.request("busy", "sleep", 3000, Long.class);
            List<CompletableFuture<Long>> queued = sleeps(busy, 3, 10);

            // the worker reads them ahead, and the REVOKE after them, from its first heartbeat during the long one
            assertThat(queued.get(0).cancel(true)).isTrue();
            assertThat(queued.get(2).cancel(true)).isTrue();

            assertThat(longOne.get(10, TimeUnit.SECONDS)).isEqualTo(pid);
            assertThat(queued.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(pid);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(queued.get(0)).isCancelled();
            assertThat(queued.get(2)).isCancelled();
            assertThat(pool.snapshot().workers().get(0).messagesHandled()).as("requests the worker ran").isEqualTo(2);
            assertThat(cancellations).hasValue(2);
            assertThat(pool.restartCount()).isZero();
        }
    }

    @Test
    void cancelledRequestsInAQueueThatIsSharedWithAnIdleWorkerRunNowhere() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            WorkerPool pool = busy.pool("busy");
            settleTypicalTime(busy, 1);
            long handledBefore = handledByPool(pool);
            // one each, so that neither worker can start a queued request for the next second
            long sending = System.nanoTime();
            CompletableFuture<Long> longest = busy.request("busy", "sleep", 3000, Long.class);
            CompletableFuture<Long> shorter = busy.request("busy", "sleep", 1000, Long.class);
            List<CompletableFuture<Long>> queued = sleeps(busy, 10, 100);
            for (int i = 7; i < 10; i++) {
                assertThat(queued.get(i).cancel(false)).isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - sending)).as("cancelled before either worker was free")
                .isLessThan(Duration.ofSeconds(1));

            // the one that runs the shorter request goes idle while the other still runs the longest
            assertThat(shorter.get(10, TimeUnit.SECONDS)).isNotEqualTo(longest.get(10, TimeUnit.SECONDS));
            jobsByWorker(queued.subList(0, 7));
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(handledByPool(pool) - handledBefore).as("requests run by either worker").isEqualTo(9);
            assertThat(pool.snapshot().messagesMoved()).isPositive(); // the queue was shared all the same
            assertThat(queued.subList(7, 10)).allMatch(CompletableFuture::isCancelled);
            assertThat(pool.restartCount()).isZero();
        }
    }

    @Test
    void aCancelledRequestQueuedAtAWorkerThatDiesIsNotRedelivered() throws Exception {
        try (WorkerPools busy = busyPool(1, (settings) -> settings.withSupervision(QUICK_RESTART)
            .withDelivery(new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)))) {
            WorkerPool pool = busy.pool("busy");
            long crashed = pool.workerPids().get(0);
            CompletableFuture<Long> longOne = busy.request("busy", "sleep", 1000, Long.class);
            CompletableFuture<Long> cancelled = busy.request("busy", "sleep", 10, Long.class);
            assertThat(cancelled.cancel(false)).isTrue();
            ProcessHandle.of(crashed).ifPresent(ProcessHandle::destroyForcibly);

            long replacement = longOne.get(30, TimeUnit.SECONDS); // redelivered to the replacement
            assertThat(replacement).isNotEqualTo(crashed);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(pool.snapshot().workers().get(0).messagesHandled()).as("requests the replacement ran")
                .isEqualTo(1);
            assertThat(cancelled).isCancelled();
        }
    }

    @Test
    void aCancelledRequestItsWorkerHasStartedRunsToItsEndAndFreesItsRoomThen() throws Exception {
        try (WorkerPools busy = busyPool(1, UnaryOperator.identity())) {
            WorkerPool pool = busy.pool("busy");
            CompletableFuture<Long> running = busy.request("busy", "sleep", 1500, Long.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().workers().get(0).currentMillis() >= 100);

            assertThat(running.cancel(false)).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(pool.snapshot().workers().get(0).messagesHandled()).isEqualTo(1);
            assertThat(running).isCancelled();
            assertThat(busy.request("busy", "sleep", 1, Long.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(pool.workerPids().get(0));
        }
    }

    @Test
    void cancellingWithInterruptStopsTheListenerOfARequestItsWorkerHasStarted() throws Exception {
        try (WorkerPools busy = busyPool(1, UnaryOperator.identity())) {
            WorkerPool pool = busy.pool("busy");
            long pid = pool.workerPids().get(0);
            assertThat(busy.request("busy", "sleep", 1, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(pid); // warmed up
            CompletableFuture<Long> running = busy.request("busy", "sleep", 60_000, Long.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().workers().get(0).currentMillis() >= 100);

            assertThat(running.cancel(true)).isTrue();

            // the worker reads the parent's word within some 20 ms of the listener's start, not in a minute
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(running).isCancelled();
            assertThat(busy.request("busy", "sleep", 1, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(pid);
            assertThat(pool.restartCount()).isZero();
        }
    }

    @Test
    void aRequestStartedByAnIdleWorkerIsInterruptedSoonAfterItsCancelNotAtTheWorkersNextHeartbeat() throws Exception {
        PoolSettings.Supervision slowHeartbeat = new PoolSettings.Supervision(Duration.ofSeconds(1), Duration.ofSeconds(30),
                10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ZERO);
        try (WorkerPools busy = busyPool(1, (settings) -> settings.withSupervision(slowHeartbeat))) {
            WorkerPool pool = busy.pool("busy");
            assertThat(busy.request("busy", "sleep", 1, Long.class).get(10, TimeUnit.SECONDS)).isPositive(); // warmed up
            Thread.sleep(200); // idle: its heartbeat thread sleeps until its next beat, some 20 s away
            CompletableFuture<Long> running = busy.request("busy", "sleep", 60_000, Long.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().workers().get(0).currentMillis() >= 100);

            long cancelled = System.nanoTime();
            assertThat(running.cancel(true)).isTrue();

            // the worker looks at what the parent sent from when it takes a message, not from its next beat
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.inFlight() == 0);
            assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(5));
            assertThat(pool.restartCount()).isZero();
        }
    }

    @Test
    void aTimedOutRequestsListenerIsInterruptedWhenThePoolIsSetTo() throws Exception {
        try (WorkerPools busy = busyPool(1, (settings) -> settings.withInterruptTimedOutRequests(true))) {
            WorkerPool pool = busy.pool("busy");
            long pid = pool.workerPids().get(0);
            // a fresh worker may take longer than the timeout to start its first listener, and then skips it
            assertThat(busy.request("busy", "sleep", 1, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(pid);
            CompletableFuture<Long> running = busy.request("busy", "sleep", 60_000, Long.class, Duration.ofSeconds(1));

            assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> running.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(IpcTimeoutException.class)
                .withMessage("Request 'sleep' to pool 'busy' got no reply within PT1S");

            // the worker reads the parent's word within some 20 ms of the listener's start, not in a minute
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(busy.request("busy", "sleep", 1, Long.class).get(10, TimeUnit.SECONDS)).isEqualTo(pid);
            assertThat(pool.restartCount()).isZero();
        }
    }
}
