package io.ipcworkers.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.ipcworkers.ChildProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool worker signalled to stop (SIGTERM, SIGINT, SIGHUP) finishes what it holds: signalled alone it
 * is replaced, signalled as its pool stops it is not.
 */
class WorkerSignalTest extends FaultInjectionFixture {

    @Test
    void aWorkerSentSigtermAloneFinishesWhatItHoldsAndIsReplaced() throws Exception {
        WorkerPool pool = start(FaultInjectionFixture::oneWorker);
        long pid = pool.workerPids().get(0);
        CompletableFuture<Long> running = pool.request("sleep", 1_500, Long.class, Duration.ofSeconds(30));
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);

        // kill <pid>, or ChildProcess.terminate(): the JVM would have exited at once, the request lost with it
        signal("TERM", pid);

        assertThat(running.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(pid);
        await().atMost(WAIT).until(() -> !isAlive(pid));
        assertThat(pool.workerPids()).singleElement().isNotEqualTo(pid);
        assertThat(pool.snapshot().recycles()).as("replaced gracefully").isEqualTo(1);
        assertThat(pool.restartCount()).as("not restarted after a crash").isZero();
    }

    @Test
    void aWorkerSignalledAgainAfterItsReplacementFailedToStartIsReplacedThen() throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        // the third worker to get ready, the first replacement, is killed as it does
        WorkerPool pool = start(UnaryOperator.identity(), List.of(killingTheWorkerReady(3, exited)));
        long pid = pool.workerPids().get(0);
        // it serves messages, so it takes the signals itself: it does once ready, a moment after telling so
        pool.broadcast("pid", null);
        await().atMost(WAIT).until(() -> pool.inFlight() == 0);

        signal("TERM", pid);
        await().atMost(WAIT).until(() -> exited.getCount() == 0);
        assertThat(isAlive(pid)).as("working on").isTrue();
        assertThat(pool.snapshot().recycles()).isZero();

        await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).untilAsserted(() -> {
            signal("TERM", pid); // until the failure's backoff has passed
            assertThat(pool.snapshot().recycles()).isEqualTo(1);
        });
        await().atMost(WAIT).until(() -> !isAlive(pid));
        assertThat(pool.workerPids()).doesNotContain(pid).hasSize(2);
    }

    @Test
    void aWorkerSignalledAsItsPoolStopsFinishesItsWorkAndIsNotReplaced() throws Exception {
        WorkerPool pool = start(FaultInjectionFixture::oneWorker);
        long pid = pool.workerPids().get(0);
        CompletableFuture<Long> running = pool.request("sleep", 1_500, Long.class, Duration.ofSeconds(30));
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);

        // a terminal's Ctrl-C or its closing, or a service manager's stop: the whole process group at once
        signal("INT", pid);
        signal("HUP", pid);
        signal("TERM", pid);
        this.pools.close();

        assertThat(running).as("drained by the pool's stop").isCompletedWithValue(pid);
        assertThat(pool.snapshot().recycles()).isZero();
    }

    @Test
    void aWorkerOnARuntimeWithoutJdkUnsupportedWorksWithTheJvmsOwnSignalHandling() throws Exception {
        // as a runtime image made with jlink without jdk.unsupported, where sun.misc.Signal is not
        WorkerPool pool = start((settings) -> oneWorker(settings).withJvmArgs(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "--limit-modules", "java.base,java.logging,java.management,jdk.management,jdk.net")));
        long pid = pool.workerPids().get(0);

        assertThat(pool.request("sleep", 300, Long.class).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(pid);
        signal("TERM", pid);
        await().atMost(WAIT).until(() -> !isAlive(pid)); // as a JVM does
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1);
        assertThat(pool.restartCount()).isEqualTo(1);
        assertThat(pool.request("pid", null, Long.class).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEqualTo(pid);
    }
}
