package io.ipcworkers.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.DeadLetter;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.Processes;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import org.junit.jupiter.api.AfterEach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the tests that inject faults into real worker JVMs share: a pool of two {@link FaultyWorker}s
 * started for each test, the parent's listeners that record what reached them, and the checks. Workers
 * crash, hang, leak and lie; the pool keeps working and no message is lost silently. Each test asserts
 * the exact outcome, that other messages were handled, and that the pool is back to size.
 */
abstract class FaultInjectionFixture {

    static final Duration WAIT = Duration.ofSeconds(30);

    final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    final Map<Long, Map<String, Object>> counted = new ConcurrentHashMap<>();

    final List<Long> seenPids = new CopyOnWriteArrayList<>();

    WorkerPools pools;

    final AtomicInteger flooded = new AtomicInteger();

    final AtomicInteger bulky = new AtomicInteger();

    final AtomicInteger streamedHandled = new AtomicInteger();

    final List<Object> echoed = new CopyOnWriteArrayList<>();

    final List<Integer> noted = new CopyOnWriteArrayList<>();

    /** Processes workers started themselves (not worker JVMs). */
    final List<Long> spawned = new CopyOnWriteArrayList<>();

    final CountDownLatch bulkyRelease = new CountDownLatch(1);

    public class ParentListeners {

        @IpcListener(DeadLetter.TOPIC)
        public void deadLetter(DeadLetter letter) {
            FaultInjectionFixture.this.deadLetters.add(letter);
        }

        @IpcListener("flooded")
        public void flooded(int n) throws InterruptedException {
            if (n == 0) {
                Thread.sleep(3_000); // a listener stuck well past the heartbeat timeout, behind which the rest queue up
            }
            FaultInjectionFixture.this.flooded.incrementAndGet();
        }

        @IpcListener("bulky")
        public void bulky(String half) throws InterruptedException {
            FaultInjectionFixture.this.bulkyRelease.await(); // behind this one, the rest queue up
            FaultInjectionFixture.this.bulky.incrementAndGet();
        }

        /** What workers' {@code echo} listeners return for plain sends. */
        @IpcListener("echo")
        public void echoed(Object payload) {
            FaultInjectionFixture.this.echoed.add(payload);
        }

        /** Answers every message of a worker's stream, which that worker reads only once the stream ends. */
        @IpcListener("streamed")
        public String streamed(int n) {
            FaultInjectionFixture.this.streamedHandled.incrementAndGet();
            return "x".repeat(1024);
        }

        /** Sends its worker a message for every message of its stream, as an answer would be sent. */
        @IpcListener("told")
        public void told(int n, ChildProcess sender) {
            FaultInjectionFixture.this.streamedHandled.incrementAndGet();
            sender.sendMessage(Message.of("echo", "x".repeat(1024)));
        }

        @IpcListener("spawned")
        public void spawned(long pid) {
            FaultInjectionFixture.this.spawned.add(pid);
        }

        @IpcListener("noted")
        public void noted(int n) {
            FaultInjectionFixture.this.noted.add(n);
        }

        @IpcListener("counted")
        public void counted(Map<String, Object> report) {
            FaultInjectionFixture.this.counted.put(((Number) report.get("pid")).longValue(), report);
        }
    }

    WorkerPool start(UnaryOperator<PoolSettings> customizer) {
        return start(customizer, List.of());
    }

    WorkerPool start(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners) {
        return start(customizer, listeners, 1 << 20);
    }

    WorkerPool start(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners, int maxFrameLength) {
        ListenerRegistry parent = ListenerRegistry.forParent();
        parent.registerAnnotatedMethods(new ParentListeners());
        return start(customizer, listeners, maxFrameLength, parent);
    }

    WorkerPool start(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners, int maxFrameLength,
            ListenerRegistry parent) {
        this.pools = unstartedPools(customizer, listeners, maxFrameLength, parent);
        this.pools.start();
        return this.pools.pool("faulty");
    }

    static WorkerPools unstartedPools(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners,
            int maxFrameLength, ListenerRegistry parent) {
        PoolSettings settings = customizer.apply(PoolSettings.of("faulty", 2, FaultyWorker.class.getName())
            .withJvmArgs(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"))
            .withSupervision(fastSupervision(10, Duration.ZERO)));
        LauncherSettings launcher = new LauncherSettings(maxFrameLength, Duration.ofSeconds(30), ProcessOutput.console(),
                List.of());
        return new WorkerPools(List.of(settings), launcher, MessageCodec.withDefaultMapper(), parent, listeners);
    }

    /** Restarts as given; crashes counted over a minute, heartbeats every 200 ms, silent for 1 s is hung. */
    static PoolSettings.Supervision restarting(Duration backoff, Duration maxBackoff, int maxCrashes,
            Duration coolDown) {
        return new PoolSettings.Supervision(backoff, maxBackoff, maxCrashes, Duration.ofMinutes(1), coolDown,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ZERO);
    }

    static PoolSettings.Supervision fastSupervision(int maxCrashes, Duration handlerTimeout) {
        return new PoolSettings.Supervision(Duration.ofMillis(50), Duration.ofMillis(200), maxCrashes,
                Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1),
                handlerTimeout);
    }

    @AfterEach
    void stop() {
        this.bulkyRelease.countDown();
        if (this.pools != null) {
            this.pools.pools().forEach((pool) -> this.seenPids.addAll(pool.workerPids()));
            this.pools.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> this.seenPids.stream()
            .noneMatch(FaultInjectionFixture::isAlive));
        this.spawned.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    void assertBackToSize(WorkerPool pool) throws Exception {
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 2);
        this.seenPids.addAll(pool.workerPids());
        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(pool.request("echo", "still fine", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("still fine");
    }

    static Throwable failureOf(CompletableFuture<?> future) {
        try {
            future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (ExecutionException ex) {
            return ex.getCause();
        }
        catch (Exception ex) {
            throw new AssertionError("no outcome in time", ex);
        }
        throw new AssertionError("expected the request to fail");
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }

    /**
     * Kills the worker that gets ready {@code nth} (1 for the first) as soon as it is, and lets its pool
     * go on only once the pool has seen it exit: in the window between a worker's getting ready and
     * its taking its slot.
     */
    PoolListener killingTheWorkerReady(int nth, CountDownLatch exited) {
        return killingOnReady(nth, (ready) -> ready, exited);
    }

    /**
     * Kills a worker (the one {@code victimOfReady} names, given the pid of the worker that got ready
     * {@code nth}) then, and lets the pool go on only once it has seen that one exit.
     */
    PoolListener killingOnReady(int nth, LongUnaryOperator victimOfReady, CountDownLatch exited) {
        AtomicInteger ready = new AtomicInteger();
        AtomicLong victim = new AtomicLong();
        return new PoolListener() {

            @Override
            public void workerStarted(String pool, String worker, long pid) {
                if (ready.incrementAndGet() == nth) {
                    victim.set(victimOfReady.applyAsLong(pid));
                    FaultInjectionFixture.this.seenPids.add(pid);
                    FaultInjectionFixture.this.seenPids.add(victim.get());
                    ProcessHandle.of(victim.get()).ifPresent(ProcessHandle::destroyForcibly);
                    await().atMost(WAIT).until(() -> exited.await(0, TimeUnit.SECONDS));
                }
            }

            @Override
            public void workerExited(String pool, String worker, long pid, int exitCode, String cause,
                    String description) {
                if (pid == victim.get()) {
                    exited.countDown();
                }
            }
        };
    }

    /** The {@code echo} sends neither echoed to the parent nor dead letters. */
    Set<Integer> unaccountedFor(List<Integer> sent) {
        Set<Integer> missing = new TreeSet<>(sent);
        this.echoed.forEach((payload) -> missing.remove(((Number) payload).intValue()));
        this.deadLetters.stream()
            .filter((letter) -> letter.topic().equals("echo"))
            .forEach((letter) -> missing.remove(letter.message().payloadAs(Integer.class)));
        return missing;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The settings with one worker, so that consecutive messages go to the same one. */
    static PoolSettings oneWorker(PoolSettings settings) {
        return new PoolSettings(settings.name(), 1, settings.workerClass(), settings.jvmArgs(),
                settings.environment(), settings.routing(), settings.maxInFlight(), settings.maxWaiting(),
                settings.requestTimeout(), settings.acquireTimeout(), settings.startTimeout(),
                settings.stopTimeout(), settings.supervision(), settings.recycling(), settings.delivery());
    }

    /** A pool of one worker whose starts the test can make fail or hang through the file {@code gate}. */
    static PoolSettings gated(PoolSettings settings, Path gate, Duration startTimeout,
            PoolSettings.Supervision supervision) {
        List<String> jvmArgs = new ArrayList<>(settings.jvmArgs());
        jvmArgs.add("-Dfaulty.start-gate=" + gate);
        return new PoolSettings(settings.name(), 1, settings.workerClass(), jvmArgs, settings.environment(),
                settings.routing(), settings.maxInFlight(), settings.maxWaiting(), settings.requestTimeout(),
                settings.acquireTimeout(), startTimeout, settings.stopTimeout(), supervision, settings.recycling(),
                settings.delivery());
    }

    /** The pids of every worker JVM that reached the start gate, in order. */
    static List<Long> starts(Path gate) throws Exception {
        Path starts = gate.resolveSibling("gate.starts");
        return Files.exists(starts) ? Files.readAllLines(starts).stream().map(Long::valueOf).toList() : List.of();
    }
}
