package io.ipcworkers.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class SerialExecutorTest {

    @Test
    void aSubmitterWaitsWhileTheQueueIsFullAndEveryTaskRunsOnceInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            SerialExecutor executor = new SerialExecutor(pool, 10, Long.MAX_VALUE, () -> true, () -> { });
            AtomicInteger submitted = new AtomicInteger();
            CompletableFuture<Void> submitter = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    executor.execute(() -> {
                        awaitLatch(release);
                        ran.add(n);
                    });
                    submitted.incrementAndGet();
                }
            });
            // the first task runs (and waits), ten more fill the queue; the submitter is held there
            await().atMost(Duration.ofSeconds(5)).until(() -> submitted.get() == 11);
            Thread.sleep(200);
            assertThat(submitted.get()).isEqualTo(11);
            release.countDown();
            submitter.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 100);
            assertThat(ran).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskTheExecutorRefusedWaitsInTheQueueAndRunsBeforeTheNextOneOnceTheExecutorTakesIt() {
        AtomicBoolean refusing = new AtomicBoolean(true);
        Executor sometimesRefusing = (task) -> {
            if (refusing.get()) {
                throw new RejectedExecutionException("not now");
            }
            task.run();
        };
        List<Integer> ran = new CopyOnWriteArrayList<>();
        SerialExecutor executor = new SerialExecutor(sometimesRefusing, 10, Long.MAX_VALUE, () -> true, () -> { });

        assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> executor.execute(() -> ran.add(1)));
        refusing.set(false);
        executor.execute(() -> ran.add(2));

        assertThat(ran).containsExactly(1, 2);
    }

    @Test
    void aTaskThatThrowsAnErrorEndsItsThreadButNotTheQueue() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2, (task) -> {
            Thread thread = new Thread(task);
            thread.setUncaughtExceptionHandler((ended, error) -> uncaught.add(error));
            return thread;
        });
        try {
            List<Integer> ran = new CopyOnWriteArrayList<>();
            SerialExecutor executor = new SerialExecutor(pool, 10, Long.MAX_VALUE, () -> true, () -> { });
            CountDownLatch release = new CountDownLatch(1);
            executor.execute(() -> awaitLatch(release)); // holds the queue until all are in
            executor.execute(() -> {
                throw new InternalError("the JVM's own trouble");
            });
            for (int i = 0; i < 5; i++) {
                int n = i;
                executor.execute(() -> ran.add(n));
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 5);
            assertThat(ran).containsExactly(0, 1, 2, 3, 4);
            assertThat(uncaught).singleElement().isInstanceOf(InternalError.class);
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSubmitterWaitsWhileTheQueuedTasksCarryTheByteCapacityHoweverFewTheyAre() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> ran = new CopyOnWriteArrayList<>();
            SerialExecutor executor = new SerialExecutor(pool, 1024, 3_000, () -> true, () -> { });
            AtomicInteger submitted = new AtomicInteger();
            CompletableFuture<Void> submitter = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    executor.execute(() -> {
                        awaitLatch(release);
                        ran.add(n);
                    }, 1_000);
                    submitted.incrementAndGet();
                }
            });
            // the first task runs (and waits), three more carry the 3,000 bytes; the submitter is held there
            await().atMost(Duration.ofSeconds(5)).until(() -> submitted.get() == 4);
            Thread.sleep(200);
            assertThat(submitted.get()).isEqualTo(4);
            assertThat(executor.hasRoom()).isFalse();
            release.countDown();
            submitter.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 20);
            assertThat(ran).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
            assertThat(executor.hasRoom()).isTrue();
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskKnowsItRunsOnTheQueuesThreadAndNoOtherThreadDoes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            SerialExecutor executor = new SerialExecutor(pool, 10, Long.MAX_VALUE, () -> true, () -> { });
            CompletableFuture<Boolean> inTask = new CompletableFuture<>();
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> elsewhereMeanwhile = new CompletableFuture<>();
            executor.execute(() -> {
                inTask.complete(executor.isRunningOnCurrentThread());
                awaitLatch(release);
            });
            assertThat(inTask.get(5, TimeUnit.SECONDS)).isTrue();
            pool.execute(() -> elsewhereMeanwhile.complete(executor.isRunningOnCurrentThread()));
            assertThat(elsewhereMeanwhile.get(5, TimeUnit.SECONDS)).isFalse();
            assertThat(executor.isRunningOnCurrentThread()).isFalse();
            release.countDown();
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskLargerThanTheByteCapacityWaitsOnlyForTheQueueToEmpty() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            SerialExecutor executor = new SerialExecutor(pool, 1024, 1_000, () -> true, () -> { });
            executor.execute(() -> awaitLatch(release), 10); // runs, and holds the queue's only thread
            executor.execute(() -> { }, 50_000); // queued: the queue was under its bound
            CompletableFuture<Void> next = CompletableFuture.runAsync(() -> executor.execute(() -> { }, 10_000));
            Thread.sleep(200);
            assertThat(next).isNotDone();
            release.countDown();
            next.get(5, TimeUnit.SECONDS);
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onceTheSourceIsClosedASubmitterNoLongerWaits() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean open = new AtomicBoolean(true);
            SerialExecutor executor = new SerialExecutor(pool, 2, Long.MAX_VALUE, open::get, () -> { });
            CompletableFuture<Void> submitter = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10; i++) {
                    executor.execute(() -> awaitLatch(release));
                }
            });
            Thread.sleep(200);
            assertThat(submitter).isNotDone();
            open.set(false);
            submitter.get(5, TimeUnit.SECONDS);
            release.countDown();
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
