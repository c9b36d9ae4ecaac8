package io.ipcworkers.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.ChildProcess;
import io.ipcworkers.DeadLetter;
import io.ipcworkers.DirectMemory;
import io.ipcworkers.IpcException;
import io.ipcworkers.IpcListener;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.OwnThread;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.Processes;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.core.type.TypeReference;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Workers crash, hang, leak and lie; the pool keeps working and no message is lost silently. Each
 * test asserts the exact outcome, that other messages were handled, and that the pool is back to size.
 */
class FaultInjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    private final Map<Long, Map<String, Object>> counted = new ConcurrentHashMap<>();

    private final List<Long> seenPids = new CopyOnWriteArrayList<>();

    private WorkerPools pools;

    private final AtomicInteger flooded = new AtomicInteger();

    private final AtomicInteger bulky = new AtomicInteger();

    private final AtomicInteger streamedHandled = new AtomicInteger();

    private final List<Object> echoed = new CopyOnWriteArrayList<>();

    private final List<Integer> noted = new CopyOnWriteArrayList<>();

    /** Processes workers started themselves (not worker JVMs). */
    private final List<Long> spawned = new CopyOnWriteArrayList<>();

    private final CountDownLatch bulkyRelease = new CountDownLatch(1);

    public class ParentListeners {

        @IpcListener(DeadLetter.TOPIC)
        public void deadLetter(DeadLetter letter) {
            FaultInjectionTest.this.deadLetters.add(letter);
        }

        @IpcListener("flooded")
        public void flooded(int n) throws InterruptedException {
            if (n == 0) {
                Thread.sleep(3_000); // a listener stuck well past the heartbeat timeout, behind which the rest queue up
            }
            FaultInjectionTest.this.flooded.incrementAndGet();
        }

        @IpcListener("bulky")
        public void bulky(String half) throws InterruptedException {
            FaultInjectionTest.this.bulkyRelease.await(); // behind this one, the rest queue up
            FaultInjectionTest.this.bulky.incrementAndGet();
        }

        /** What workers' {@code echo} listeners return for plain sends. */
        @IpcListener("echo")
        public void echoed(Object payload) {
            FaultInjectionTest.this.echoed.add(payload);
        }

        /** Answers every message of a worker's stream, which that worker reads only once the stream ends. */
        @IpcListener("streamed")
        public String streamed(int n) {
            FaultInjectionTest.this.streamedHandled.incrementAndGet();
            return "x".repeat(1024);
        }

        /** Sends its worker a message for every message of its stream, as an answer would be sent. */
        @IpcListener("told")
        public void told(int n, ChildProcess sender) {
            FaultInjectionTest.this.streamedHandled.incrementAndGet();
            sender.sendMessage(Message.of("echo", "x".repeat(1024)));
        }

        @IpcListener("spawned")
        public void spawned(long pid) {
            FaultInjectionTest.this.spawned.add(pid);
        }

        @IpcListener("noted")
        public void noted(int n) {
            FaultInjectionTest.this.noted.add(n);
        }

        @IpcListener("counted")
        public void counted(Map<String, Object> report) {
            FaultInjectionTest.this.counted.put(((Number) report.get("pid")).longValue(), report);
        }
    }

    private WorkerPool start(UnaryOperator<PoolSettings> customizer) {
        return start(customizer, List.of());
    }

    private WorkerPool start(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners) {
        return start(customizer, listeners, 1 << 20);
    }

    private WorkerPool start(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners, int maxFrameLength) {
        ListenerRegistry parent = ListenerRegistry.forParent();
        parent.registerAnnotatedMethods(new ParentListeners());
        return start(customizer, listeners, maxFrameLength, parent);
    }

    private WorkerPool start(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners, int maxFrameLength,
            ListenerRegistry parent) {
        this.pools = unstartedPools(customizer, listeners, maxFrameLength, parent);
        this.pools.start();
        return this.pools.pool("faulty");
    }

    private static WorkerPools unstartedPools(UnaryOperator<PoolSettings> customizer, List<PoolListener> listeners,
            int maxFrameLength, ListenerRegistry parent) {
        PoolSettings settings = customizer.apply(PoolSettings.of("faulty", 2, FaultyWorker.class.getName())
            .withJvmArgs(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"))
            .withSupervision(fastSupervision(10, Duration.ZERO)));
        LauncherSettings launcher = new LauncherSettings(maxFrameLength, Duration.ofSeconds(30), ProcessOutput.console(),
                List.of());
        return new WorkerPools(List.of(settings), launcher, MessageCodec.withDefaultMapper(), parent, listeners);
    }

    /** Restarts as given; crashes counted over a minute, heartbeats every 200 ms, silent for 1 s is hung. */
    private static PoolSettings.Supervision restarting(Duration backoff, Duration maxBackoff, int maxCrashes,
            Duration coolDown) {
        return new PoolSettings.Supervision(backoff, maxBackoff, maxCrashes, Duration.ofMinutes(1), coolDown,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ZERO);
    }

    private static PoolSettings.Supervision fastSupervision(int maxCrashes, Duration handlerTimeout) {
        return new PoolSettings.Supervision(Duration.ofMillis(50), Duration.ofMillis(200), maxCrashes,
                Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1),
                handlerTimeout);
    }

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

    @AfterEach
    void stop() {
        this.bulkyRelease.countDown();
        if (this.pools != null) {
            this.pools.pools().forEach((pool) -> this.seenPids.addAll(pool.workerPids()));
            this.pools.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> this.seenPids.stream()
            .noneMatch(FaultInjectionTest::isAlive));
        this.spawned.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private void assertBackToSize(WorkerPool pool) throws Exception {
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 2);
        this.seenPids.addAll(pool.workerPids());
        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(pool.request("echo", "still fine", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("still fine");
    }

    /** A request on the topic fails because its worker is killed for what it then sends the parent. */
    private static void assertKilledForBreakingTheProtocol(WorkerPool pool, String topic, String breach) {
        assertThat(failureOf(pool.request(topic, null, Object.class))).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("was killed (broke the protocol: " + breach + ")");
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
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

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }

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

    /**
     * Kills the worker that gets ready {@code nth} (1 for the first) as soon as it is, and lets its pool
     * go on only once the pool has seen it exit: in the window between a worker's getting ready and
     * its taking its slot.
     */
    private PoolListener killingTheWorkerReady(int nth, CountDownLatch exited) {
        return killingOnReady(nth, (ready) -> ready, exited);
    }

    /**
     * Kills a worker (the one {@code victimOfReady} names, given the pid of the worker that got ready
     * {@code nth}) then, and lets the pool go on only once it has seen that one exit.
     */
    private PoolListener killingOnReady(int nth, LongUnaryOperator victimOfReady, CountDownLatch exited) {
        AtomicInteger ready = new AtomicInteger();
        AtomicLong victim = new AtomicLong();
        return new PoolListener() {

            @Override
            public void workerStarted(String pool, String worker, long pid) {
                if (ready.incrementAndGet() == nth) {
                    victim.set(victimOfReady.applyAsLong(pid));
                    FaultInjectionTest.this.seenPids.add(pid);
                    FaultInjectionTest.this.seenPids.add(victim.get());
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
    void aPoolStoppedWhileItStartsStaysStoppedAndItsWorkersDoNotOutliveTheStart() throws Exception {
        AtomicBoolean stopped = new AtomicBoolean();
        List<Long> started = new CopyOnWriteArrayList<>();
        PoolListener stopping = new PoolListener() {

            @Override
            public void workerStarted(String pool, String worker, long pid) {
                started.add(pid);
                if (stopped.compareAndSet(false, true)) { // the first worker is ready, the pool not yet
                    FaultInjectionTest.this.pools.pool(pool).stop();
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
        await().atMost(WAIT).until(() -> started.stream().noneMatch(FaultInjectionTest::isAlive));
    }

    @Test
    void theSnapshotTellsEmptySlotsOfAStartingAndOfAStoppedPoolFromThoseBeingRestarted() throws Exception {
        List<String> whileStarting = new CopyOnWriteArrayList<>();
        AtomicBoolean looked = new AtomicBoolean();
        PoolListener looking = new PoolListener() {

            @Override
            public void workerStarted(String pool, String worker, long pid) {
                if (looked.compareAndSet(false, true)) { // the first worker is ready, the pool not yet
                    FaultInjectionTest.this.pools.pool(pool).snapshot().workers()
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
    void killMinusNineMidRequestRedeliversItWhenThePoolOptsIn() throws Exception {
        WorkerPool pool = start((settings) -> settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)));
        CompletableFuture<Long> request = pool.request("sleep", 1500, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);
        long victim = pool.currentWorkers().stream().filter((w) -> w.inFlight() == 1).findFirst().orElseThrow().getId();

        signal("KILL", victim);

        assertThat(request.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEqualTo(victim);
        assertThat(this.deadLetters).isEmpty();
        assertBackToSize(pool);
    }

    @Test
    void aDeadWorkersMessagesAreRedeliveredInTheOrderItWasGivenThem() throws Exception {
        WorkerPool pool = start((settings) -> oneWorker(settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3))));
        long victim = pool.workerPids().get(0);
        CompletableFuture<Long> head = pool.request("sleep", 2_000, Long.class);
        List<CompletableFuture<Integer>> behind = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            behind.add(pool.request("note", i, Integer.class)); // each tells the parent when it runs
        }

        signal("KILL", victim);

        assertThat(head.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotEqualTo(victim);
        for (int i = 0; i < 40; i++) {
            assertThat(behind.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        await().atMost(WAIT).until(() -> this.noted.size() == 40);
        assertThat(this.noted).isEqualTo(IntStream.range(0, 40).boxed().toList());
        assertThat(this.deadLetters).isEmpty();
        assertThat(pool.restartCount()).isEqualTo(1);
    }

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

    /** The {@code echo} sends neither echoed to the parent nor dead letters. */
    private Set<Integer> unaccountedFor(List<Integer> sent) {
        Set<Integer> missing = new TreeSet<>(sent);
        this.echoed.forEach((payload) -> missing.remove(((Number) payload).intValue()));
        this.deadLetters.stream()
            .filter((letter) -> letter.topic().equals("echo"))
            .forEach((letter) -> missing.remove(letter.message().payloadAs(Integer.class)));
        return missing;
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
    void requestWhoseDeadlinePassesWhileItWaitsToBeRedeliveredTimesOutAndIsNotRedelivered() throws Exception {
        // one worker, replaced only after 3 s: the request waits for it longer than its 1 s timeout
        WorkerPool pool = start((settings) -> new PoolSettings(settings.name(), 1, settings.workerClass(),
                settings.jvmArgs(), settings.environment(), settings.routing(), settings.maxInFlight(),
                settings.maxWaiting(), Duration.ofSeconds(1), settings.acquireTimeout(), settings.startTimeout(),
                settings.stopTimeout(), restarting(Duration.ofSeconds(3), Duration.ofSeconds(3), 10, Duration.ofSeconds(2)),
                settings.recycling(), new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)));
        CompletableFuture<Long> request = pool.request("sleep", 30_000, Long.class);
        await().atMost(WAIT).until(() -> pool.inFlight() == 1);

        signal("KILL", pool.workerPids().get(0));

        assertThat(failureOf(request)).isInstanceOf(IpcTimeoutException.class)
            .hasMessage("Request 'sleep' to pool 'faulty' got no reply within PT1S");
        assertThat(pool.usableWorkers()).as("timed out while waiting, before the replacement came").isEmpty();
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1
                && pool.deadlines().awaitingRedelivery() == 0);
        assertThat(pool.inFlight()).as("the replacement was not handed the timed-out request").isZero();
        assertThat(this.deadLetters).isEmpty();
    }

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
    void aWorkerThatMakesUpTopicsGrowsNeitherTheParentsCountsNorItsMeters() {
        List<String> reportedTopics = new CopyOnWriteArrayList<>();
        PoolListener meters = new PoolListener() {
            @Override
            public void messageReceived(String pool, String topic) {
                reportedTopics.add(topic);
            }
        };
        WorkerPool pool = start(UnaryOperator.identity(), List.of(meters));
        int topics = 3 * TopicCounts.MAX_TOPICS;

        pool.send("spray", topics);

        await().atMost(WAIT).until(() -> this.flooded.get() == 1); // sent after the others, handled in order
        Map<String, Long> unhandled = this.pools.inbound().unhandledCounts();
        assertThat(unhandled).hasSize(TopicCounts.MAX_TOPICS + 1)
            .containsEntry("sprayed-0", 1L)
            .containsEntry(InboundDispatcher.OTHER_TOPICS, (long) topics - TopicCounts.MAX_TOPICS);
        assertThat(reportedTopics).hasSize(topics + 1)
            .containsOnly(PoolListener.UNHANDLED_TOPIC, "flooded")
            .endsWith("flooded");
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

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
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
    void aCrashNoticedOnceThePoolsTimersAreShutDownIsNotRestarted() throws Exception {
        WorkerPool pool = start(FaultInjectionTest::oneWorker);
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
        WorkerPool pool = start(FaultInjectionTest::oneWorker);
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

    @Test
    void aWorkerKilledAtTheHandlerTimeoutTakesTheProcessesItStartedWithIt() throws Exception {
        WorkerPool pool = start((settings) -> settings.withSupervision(fastSupervision(10, Duration.ofSeconds(2))));

        CompletableFuture<Object> request = pool.request("spawn-and-spin", null, Object.class);
        await().atMost(WAIT).until(() -> !this.spawned.isEmpty());
        List<Long> started = shellAndItsSleep(this.spawned.get(0));

        assertThat(failureOf(request)).isInstanceOf(IpcTimeoutException.class)
            .hasMessageContaining("ran longer than the handler timeout of PT2S");
        Processes.assertAllGone(started, Duration.ofSeconds(5)); // not waited for by the dead worker: may be zombies
        assertBackToSize(pool);
    }

    /** The pids of a shell a worker started ({@code sh -c "sleep 300 & wait"}) and of its sleep, both running. */
    private List<Long> shellAndItsSleep(long shell) {
        List<Long> started = new ArrayList<>(List.of(shell));
        await().atMost(WAIT).until(() -> ProcessHandle.of(shell).map((handle) -> handle.children().count() == 1)
            .orElse(false));
        ProcessHandle.of(shell).ifPresent((handle) -> handle.children().forEach((sleep) -> {
            started.add(sleep.pid());
            this.spawned.add(sleep.pid()); // killed after the test, should it fail
        }));
        assertThat(started).hasSize(2).allMatch(Processes::isAlive);
        return started;
    }

    /** The shell a worker's listener started and left running ({@code "spawn"}), and its sleep. */
    private List<Long> spawnedShellAndItsSleep(WorkerPool pool) throws Exception {
        long shell = pool.request("spawn", null, Long.class).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        this.spawned.add(shell);
        return shellAndItsSleep(shell);
    }

    @Test
    void aWorkerReplacedGracefullyStopsTheProcessesItsListenersStartedAndLeftRunning() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> started = spawnedShellAndItsSleep(pool);
        long worker = ProcessHandle.of(started.get(0)).flatMap(ProcessHandle::parent).orElseThrow().pid();

        assertThat(pool.restartWorker(worker)).isTrue(); // a SHUTDOWN, as recycling and the pool's stop send

        Processes.assertAllGone(started, Duration.ofSeconds(10)); // not waited for by the worker: may be zombies
        assertBackToSize(pool);
    }

    @Test
    void aWorkerReplacedGracefullyTakesWithItEvenTheProcessesThatLeftItsProcessTree() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> pids = pool.request("detach", null, new TypeReference<List<Long>>() { })
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long worker = pids.get(0);
        long sleep = pids.get(1);
        this.spawned.add(sleep);
        assertThat(Processes.isAlive(sleep)).isTrue();
        assertThat(ProcessHandle.of(worker).orElseThrow().descendants()).noneMatch((process) -> process.pid() == sleep);

        assertThat(pool.restartWorker(worker)).isTrue();

        Processes.assertAllGone(List.of(sleep), Duration.ofSeconds(10));
        assertBackToSize(pool);
    }

    @Test
    void aWorkerThatCrashesTakesTheProcessesItStartedWithIt() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        List<Long> started = spawnedShellAndItsSleep(pool);
        long worker = ProcessHandle.of(started.get(0)).flatMap(ProcessHandle::parent).orElseThrow().pid();

        pool.broadcast("poison", "the test"); // each halts: no shutdown hook runs, as with an out-of-memory exit

        await().atMost(WAIT).until(() -> !Processes.isAlive(worker));
        Processes.assertAllGone(started, Duration.ofSeconds(10)); // orphans now: found by the worker's mark
        assertBackToSize(pool);
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
    void workerThatWritesGarbageIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "garbage", "malformed frame: unknown frame type 77");
        assertBackToSize(pool);
    }

    @Test
    void workerThatSaysASignalWithoutANameIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "leave-unnamed", "malformed LEAVE frame of 12 bytes");
        assertBackToSize(pool);
    }

    @Test
    void aWorkerSentSigtermAloneFinishesWhatItHoldsAndIsReplaced() throws Exception {
        WorkerPool pool = start(FaultInjectionTest::oneWorker);
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
        WorkerPool pool = start(FaultInjectionTest::oneWorker);
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

    @Test
    void workerThatWritesAnOversizedFrameIsKilledWithoutTheParentAllocatingIt() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertThat(failureOf(pool.request("oversized", null, Object.class))).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("exceeds the maximum frame length of 1048576 bytes");
        assertBackToSize(pool);
    }

    @Test
    void workerThatAcknowledgesAMessageItWasNeverSentIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "acknowledge-unknown",
                "acknowledgement for message 0, which this worker does not have");
        assertBackToSize(pool);
    }

    @Test
    void workerThatAnswersWithAnUnreadableErrorIsKilledAndTheRequestFailsInsteadOfBeingForgotten() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        // the pool's first message: its correlation id is 1, which the worker answers with the lie
        assertThat(failureOf(pool.request("unreadable-error", null, Object.class)))
            .isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("was killed (broke the protocol: ")
            .hasMessageContaining(ErrorReply.class.getName());
        assertBackToSize(pool);
    }

    @Test
    void repliesThatComeBackInAnotherOrderCompleteTheirOwnRequests(@TempDir Path dir) throws Exception {
        WorkerPool pool = start(FaultInjectionTest::oneWorker);
        Path go = dir.resolve("go");

        // the pool's first two messages (correlation ids 1 and 2), both to its one worker, answered 2 then 1
        CompletableFuture<String> first = pool.request("answer-swapped", go.toString(), String.class);
        CompletableFuture<String> second = pool.request("answer-swapped", go.toString(), String.class);
        Files.createFile(go);

        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("answer to 2");
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("answer to 1");
        assertThat(pool.inFlight()).isZero();
        assertThat(pool.restartCount()).isZero(); // answering out of order breaks no rule
        long pid = pool.workerPids().get(0);
        signal("KILL", pid); // it takes no further message
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1 && pool.workerPids().get(0) != pid);
        assertThat(pool.request("echo", "still fine", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("still fine");
    }

    @Test
    void aWorkerThatAnswersARequestTwiceIsKilledAndReplacedAndItsFirstAnswerStands() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        // the pool's first message: its correlation id is 1, which the worker answers twice
        assertThat(pool.request("answer-twice", null, String.class).get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo("answer to 1");
        await().atMost(WAIT).until(() -> pool.restartCount() == 1);
        assertThat(pool.snapshot().workers()).anySatisfy((worker) -> assertThat(worker.lastExitCause())
            .contains("broke the protocol: acknowledgement for message 1, which this worker does not have"));
        assertThat(this.deadLetters).isEmpty();
        assertBackToSize(pool);
    }

    /** The settings with one worker, so that consecutive messages go to the same one. */
    private static PoolSettings oneWorker(PoolSettings settings) {
        return new PoolSettings(settings.name(), 1, settings.workerClass(), settings.jvmArgs(),
                settings.environment(), settings.routing(), settings.maxInFlight(), settings.maxWaiting(),
                settings.requestTimeout(), settings.acquireTimeout(), settings.startTimeout(),
                settings.stopTimeout(), settings.supervision(), settings.recycling(), settings.delivery());
    }

    @Test
    void workerThatAnnouncesItselfAgainOrWithoutBoundsIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity(), List.of(), 4 << 20);

        assertKilledForBreakingTheProtocol(pool, "announce-again", "a second READY frame");
        assertKilledForBreakingTheProtocol(pool, "announce-many", "READY frame announcing 10001 topics, more than 10000");
        assertThat(failureOf(pool.request("announce-big", null, Object.class)))
            .isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("more than 1048576");
        assertBackToSize(pool);
    }

    @Test
    void workerThatSendsAFrameOutOfPlaceOrAReadyFrameWithoutTopicsOrGivesBackWhatWasNotRevokedOrMalformedHeadersIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "out-of-place", "unexpected REQUEST frame");
        assertKilledForBreakingTheProtocol(pool, "announce-nothing", "malformed READY frame: no topic list");
        assertKilledForBreakingTheProtocol(pool, "give-back-unasked", "REVOKED frame, but no message was revoked");
        assertKilledForBreakingTheProtocol(pool, "bad-headers", "malformed message headers: headers of 32767 bytes in a body of 9");
        assertBackToSize(pool);
    }

    @Test
    void workerThatClosesItsSocketButStaysAliveIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        CompletableFuture<Object> request = pool.request("close-socket", null, Object.class);

        assertThat(failureOf(request)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("was killed (closed its connection but kept running)");
        assertBackToSize(pool);
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
    void aWorkerThatCanNoLongerBeWrittenToButLivesOnIsPassedOverKilledAndReplaced() throws Exception {
        // in turn, so that sends go its way (the least busy one would be the other worker, always idle)
        WorkerPool pool = start((settings) -> settings.withRouting(Routing.ROUND_ROBIN));
        pool.send("stop-reading", null);
        await().atMost(WAIT).until(() -> pool.currentWorkers().stream().anyMatch((worker) -> worker.inFlight() == 1));
        long deaf = pool.currentWorkers().stream().filter((worker) -> worker.inFlight() == 1).findFirst().orElseThrow()
            .getId();
        this.seenPids.addAll(pool.workerPids());
        // not before: on a busy machine all its share of the sends below could reach it while it still read
        await().atMost(WAIT).until(() -> this.noted.contains(0));

        // its heartbeats go on; only writing to it fails, as the first of these that goes its way finds
        List<Integer> sent = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            pool.send("echo", n);
            sent.add(n);
            Thread.sleep(5);
        }

        await().atMost(WAIT).until(() -> !isAlive(deaf));
        await().atMost(WAIT).untilAsserted(() -> assertThat(unaccountedFor(sent)).isEmpty());
        assertThat(this.deadLetters).isNotEmpty().allSatisfy((letter) -> assertThat(letter.reason())
            .contains("Worker faulty-").contains("(pid " + deaf + ") was killed (could not be written to (")
            .contains(") but kept running)"));
        assertThat(this.deadLetters).extracting(DeadLetter::topic).contains("stop-reading");
        assertBackToSize(pool);
        assertThat(pool.workerPids()).doesNotContain(deaf);
    }

    @Test
    void messagesQueuedBehindAPoisonMessageAreNotDeadLetteredWithIt() throws Exception {
        // one worker: each replacement gets them all again, in their order, so all of them behind the poison
        WorkerPool pool = start((settings) -> oneWorker(settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 2))));
        CompletableFuture<Object> poison = pool.request("poison-later", "test", Object.class);
        List<CompletableFuture<Object>> behind = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            behind.add(pool.request("echo", i, Object.class));
        }

        assertThat(failureOf(poison)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("while request 'poison-later' was in flight after 3 deliveries");
        for (int i = 0; i < 30; i++) {
            assertThat(behind.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        assertThat(this.deadLetters.get(0).topic()).isEqualTo("poison-later");
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1);
        this.seenPids.addAll(pool.workerPids());
        assertThat(pool.restartCount()).isEqualTo(3);
    }

    @Test
    void poisonMessageIsDeadLetteredAfterItsRedeliveriesInsteadOfCrashLooping() throws Exception {
        WorkerPool pool = start((settings) -> settings.withDelivery(
                new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 2)));
        List<CompletableFuture<Object>> healthy = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            healthy.add(pool.request("echo", i, Object.class));
        }
        CompletableFuture<Object> poison = pool.request("poison", "test", Object.class);

        assertThat(failureOf(poison)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("exited with code 13 while request 'poison' was in flight after 3 deliveries");
        await().atMost(WAIT).until(() -> this.deadLetters.size() == 1);
        assertThat(this.deadLetters.get(0)).satisfies((letter) -> {
            assertThat(letter.topic()).isEqualTo("poison");
            assertThat(letter.deliveries()).isEqualTo(3);
            assertThat(letter.message().payloadAs(String.class)).isEqualTo("test");
        });
        for (int i = 0; i < 20; i++) {
            assertThat(healthy.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertBackToSize(pool);
        assertThat(pool.restartCount()).isEqualTo(3);
        assertThat(this.deadLetters).hasSize(1);
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
    void aLargeMessageToAWorkerWhoseListenerRunsDoesNotHoldItsSenderUntilTheListenerReturns() throws Exception {
        WorkerPool pool = start(FaultInjectionTest::oneWorker); // heartbeats every 200 ms
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

    @Test
    void workersAreRecycledAfterTheirMessageCountWithoutFailingAnything() throws Exception {
        WorkerPool pool = start((settings) -> settings.withRecycling(new PoolSettings.Recycling(25, 0, 0, 0)));
        List<Long> first = pool.workerPids();
        List<CompletableFuture<Object>> replies = new ArrayList<>();
        int minimumUsable = Integer.MAX_VALUE;
        // until both first workers are replaced: how the requests spread over the two is routing's (a worker
        // starved of CPU gets fewer), so a fixed number may leave one short of its 25
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; pool.workerPids().stream().anyMatch(first::contains); i++) {
            assertThat(System.nanoTime() - deadline).as("both first workers recycled within 60 s").isNegative();
            replies.add(pool.request("echo", i, Object.class));
            minimumUsable = Math.min(minimumUsable, pool.usableWorkers().size());
            if (i % 20 == 0) {
                Thread.sleep(150);
            }
        }
        for (int i = 0; i < replies.size(); i++) {
            assertThat(replies.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(pool.recycleCount()).isGreaterThanOrEqualTo(2);
        assertThat(pool.restartCount()).isZero();
        assertThat(minimumUsable).as("no capacity dip").isEqualTo(2);
        assertThat(pool.workerPids()).doesNotContainAnyElementsOf(first);
        assertBackToSize(pool);
    }

    @Test
    void workerPastItsHeapLimitIsRecycled() throws Exception {
        WorkerPool pool = start((settings) -> settings.withRecycling(new PoolSettings.Recycling(0, 0, 24L << 20, 0)));
        List<Long> before = pool.workerPids();

        pool.send("retain", 30);

        await().atMost(WAIT).until(() -> pool.recycleCount() == 1);
        assertThat(pool.workerPids()).hasSize(2).containsAnyElementsOf(before)
            .doesNotContainSequence(before);
        assertBackToSize(pool);
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
     * The stall of the test above, left alone by supervision (its timeout is longer than the test), in a
     * pool whose stop timeout is 1 s.
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
            .noneMatch(FaultInjectionTest::isAlive));
        this.pools.start();

        assertThat(pool.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(pool.workerPids()).hasSize(2).doesNotContainAnyElementsOf(first);
        assertBackToSize(pool);
        assertThat(pool.restartCount()).isZero();
    }

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
            .noneMatch(FaultInjectionTest::isAlive));

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

    @Test
    void workerPastItsResidentMemoryLimitIsRecycled() throws Exception {
        // a worker JVM with a serial GC starts well under 120 MB resident; retaining 120 MB of arrays takes it over
        WorkerPool pool = start((settings) -> settings.withJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC")).withRecycling(new PoolSettings.Recycling(0, 0, 0, 120L << 20)));
        List<Long> before = pool.workerPids();

        pool.send("retain", 120);

        await().atMost(WAIT).until(() -> pool.recycleCount() == 1);
        assertThat(pool.workerPids()).hasSize(2).containsAnyElementsOf(before).doesNotContainSequence(before);
        assertBackToSize(pool);
    }

    /** A pool of one worker whose starts the test can make fail or hang through the file {@code gate}. */
    private static PoolSettings gated(PoolSettings settings, Path gate, Duration startTimeout,
            PoolSettings.Supervision supervision) {
        List<String> jvmArgs = new ArrayList<>(settings.jvmArgs());
        jvmArgs.add("-Dfaulty.start-gate=" + gate);
        return new PoolSettings(settings.name(), 1, settings.workerClass(), jvmArgs, settings.environment(),
                settings.routing(), settings.maxInFlight(), settings.maxWaiting(), settings.requestTimeout(),
                settings.acquireTimeout(), startTimeout, settings.stopTimeout(), supervision, settings.recycling(),
                settings.delivery());
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

    /** The pids of every worker JVM that reached the start gate, in order. */
    private static List<Long> starts(Path gate) throws Exception {
        Path starts = gate.resolveSibling("gate.starts");
        return Files.exists(starts) ? Files.readAllLines(starts).stream().map(Long::valueOf).toList() : List.of();
    }
}
