package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.DeadLetter;
import io.ipcworkers.IpcListener;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.RemoteListenerException;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Not part of the suite ({@code mvn -pl core test -Dgroups=soak -Dsoak.excluded=none}): four callers
 * send, broadcast and request (blocking, joined and asynchronous) for {@code soak.seconds} (60) while
 * workers are killed, crash, are restarted one by one and all in turn, recycle every ~3,000 messages
 * and, with {@code -Dsoak.interrupt=true}, the callers are interrupted every few dozen milliseconds; a
 * quarter of the asynchronous requests are cancelled as soon as sent.
 * Then: every reply was its own request's, every future completed, every send was answered or
 * dead-lettered, every failure was one the API names, and the pool is back to size with nothing in
 * flight. {@code -Dsoak.delivery=FAIL} for the default delivery mode instead of redelivery;
 * {@code -Dsoak.handlerTimeoutMillis=2000} (none by default) for a handler timeout, which then kills the
 * workers running the chaos thread's 2.5 s requests.
 */
@Tag("soak")
class PoolSoakTest {

    private static final int WORKERS = 3;

    private final Set<String> echoed = ConcurrentHashMap.newKeySet();

    private final Set<String> deadLettered = ConcurrentHashMap.newKeySet();

    private final Set<String> sent = ConcurrentHashMap.newKeySet();

    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    private final ConcurrentLinkedQueue<CompletableFuture<?>> pending = new ConcurrentLinkedQueue<>();

    /** Those of {@link #pending} whose request the caller cancelled. */
    private final Set<CompletableFuture<?>> cancelled = ConcurrentHashMap.newKeySet();

    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();

    private final AtomicBoolean running = new AtomicBoolean(true);

    private final AtomicLong ids = new AtomicLong();

    public class ParentListeners {

        /** What the workers' echo listener returns for plain sends and broadcasts. */
        @IpcListener("echo")
        public void echoed(String payload) {
            PoolSoakTest.this.echoed.add(payload);
        }

        @IpcListener(DeadLetter.TOPIC)
        public void deadLetter(DeadLetter letter) {
            PoolSoakTest.this.deadLettered.add(String.valueOf(letter.message().payloadAs(Object.class)));
        }
    }

    @Test
    void nothingIsLostCrossedOrLeftHangingUnderLoadAndFaults() throws Exception {
        PoolSettings.DeliveryMode delivery = PoolSettings.DeliveryMode.valueOf(System.getProperty("soak.delivery",
                "REDELIVER"));
        PoolSettings settings = PoolSettings.of("soak", WORKERS, EchoWorker.class.getName())
            .withJvmArgs(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"))
            .withLimits(16, 1000, Duration.ofSeconds(5))
            .withRequestTimeout(Duration.ofSeconds(3))
            .withSupervision(new PoolSettings.Supervision(Duration.ofMillis(50), Duration.ofMillis(200), 100_000,
                    Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(2),
                    Duration.ofMillis(Long.getLong("soak.handlerTimeoutMillis", 0))))
            .withRecycling(new PoolSettings.Recycling(3000, 0.3, 0, 0))
            .withDelivery(new PoolSettings.DeliveryPolicy(delivery, 2))
            .withInterruptTimedOutRequests(true); // the listeners of requests that time out are interrupted
        ListenerRegistry parent = ListenerRegistry.forParent();
        parent.registerAnnotatedMethods(new ParentListeners());
        LauncherSettings launcher = new LauncherSettings(1 << 20, Duration.ofSeconds(30), ProcessOutput.discard(),
                List.of());
        WorkerPools pools = new WorkerPools(List.of(settings), launcher, MessageCodec.withDefaultMapper(), parent,
                List.of());
        try {
            pools.start();
            WorkerPool pool = pools.pool("soak");
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                callers.add(start("soak-caller-" + i, () -> callerLoop(pools)));
            }
            Thread chaos = start("soak-chaos", () -> chaosLoop(pools, pool));
            Thread interrupter = start("soak-interrupter", () -> interrupterLoop(callers));
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.getLong("soak.seconds", 60)));
            this.running.set(false);
            for (Thread thread : concat(callers, List.of(chaos, interrupter))) {
                thread.join(60_000);
                if (thread.isAlive()) {
                    this.problems.add(thread.getName() + " still running: " + List.of(thread.getStackTrace()));
                }
            }
            awaitSettled(pool);
            report(pool);
        }
        finally {
            pools.close();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive));
        assertThat(this.problems).isEmpty();
        assertThat(this.sent).allSatisfy((payload) -> assertThat(this.echoed.contains(payload)
                || this.deadLettered.contains(payload)).as("send %s answered or dead-lettered", payload).isTrue());
    }

    private void callerLoop(WorkerPools pools) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (this.running.get()) {
            long n = this.ids.incrementAndGet();
            int op = random.nextInt(100);
            try {
                if (op < 40) {
                    expectEcho("r-" + n, pools.request("soak", "echo", "r-" + n, Object.class).get(20, TimeUnit.SECONDS));
                }
                else if (op < 45) {
                    CompletableFuture<Object> reply = pools.request("soak", "echo", "j-" + n, Object.class);
                    this.pending.add(reply);
                    expectEcho("j-" + n, reply.join());
                }
                else if (op < 55) {
                    String payload = "a-" + n;
                    // half with a timeout of their own, shorter or longer than the pool's 3 s
                    CompletableFuture<Object> request = random.nextBoolean()
                            ? pools.request("soak", "echo", payload, Object.class)
                            : pools.request("soak", "echo", payload, Object.class, Duration.ofMillis(50 + random.nextInt(6000)));
                    CompletableFuture<Object> settled = request.whenComplete((reply, failure) -> {
                        if (failure == null) {
                            expectEcho(payload, reply);
                        }
                        count((failure == null) ? "async answered" : "async " + rootName(failure));
                    });
                    this.pending.add(settled);
                    if (random.nextInt(4) == 0 && request.cancel(true)) {
                        this.cancelled.add(settled); // withdrawn if its worker has read it ahead, else run and dropped
                    }
                }
                else if (op < 90) {
                    this.sent.add("s-" + n);
                    try {
                        pools.send("soak", "echo", "s-" + n);
                    }
                    catch (RuntimeException ex) {
                        this.sent.remove("s-" + n); // refused: it was never the pool's
                        throw ex;
                    }
                    count("sent");
                }
                else if (op < 92) {
                    pools.broadcast("soak", "echo", "b-" + n);
                    count("broadcast");
                }
                else if (op < 97) {
                    pools.request("soak", "sleep", 200, Long.class).get(20, TimeUnit.SECONDS);
                    count("slept");
                }
                else {
                    pools.request("soak", "fail", "why-" + n, Object.class).get(20, TimeUnit.SECONDS);
                    this.problems.add("a failing listener's request was answered");
                }
            }
            catch (ExecutionException | java.util.concurrent.CompletionException ex) {
                expectNamedFailure(ex.getCause());
            }
            catch (TimeoutException ex) {
                this.problems.add("no answer within 20 s (operation " + op + ")");
            }
            catch (InterruptedException ex) {
                count("interrupted while waiting");
            }
            catch (PoolUnavailableException ex) {
                count("unavailable");
            }
            catch (RuntimeException ex) {
                if (!String.valueOf(ex.getMessage()).startsWith("Interrupted")) {
                    this.problems.add("thrown: " + ex);
                }
                count("thrown " + ex.getClass().getSimpleName());
            }
            Thread.interrupted(); // an interrupt that came after the wait it was meant for
        }
    }

    private void chaosLoop(WorkerPools pools, WorkerPool pool) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (this.running.get()) {
            try {
                Thread.sleep(200 + random.nextInt(800));
                List<Long> pids = pool.workerPids();
                if (pids.isEmpty()) {
                    continue;
                }
                long pid = pids.get(random.nextInt(pids.size()));
                int op = random.nextInt(100);
                if (op < 40) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    count("chaos: killed");
                }
                else if (op < 60) {
                    pool.restartWorker(pid);
                    count("chaos: restarted one");
                }
                else if (op < 85) {
                    pools.send("soak", "crash", 3);
                    count("chaos: crash sent");
                }
                else if (op < 92) {
                    pool.rollingRestart();
                    count("chaos: rolling restart");
                }
                else {
                    this.pending.add(pools.request("soak", "sleep", 2500, Long.class) // may time out
                        .whenComplete((slept, failure) -> count("chaos: 2.5 s request " + ((failure == null) ? "answered"
                                : String.valueOf(failure.getMessage()).contains("ran longer than the handler timeout")
                                        ? "past the handler timeout" : rootName(failure)))));
                    this.pending.add(pools.request("soak", "sleep", 1000, Long.class, Duration.ofMillis(200))
                        .handle((slept, failure) -> {
                            if (failure == null) {
                                this.problems.add("a request answered after its own timeout of 200 ms");
                            }
                            return slept;
                        }));
                }
            }
            catch (InterruptedException ex) {
                return;
            }
            catch (RuntimeException ex) {
                count("chaos: failed " + ex.getClass().getSimpleName());
            }
        }
    }

    private void interrupterLoop(List<Thread> callers) {
        if (!Boolean.getBoolean("soak.interrupt")) {
            return;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (this.running.get()) {
            try {
                Thread.sleep(random.nextInt(50));
            }
            catch (InterruptedException ex) {
                return;
            }
            callers.get(random.nextInt(callers.size())).interrupt();
            count("interrupts");
        }
    }

    private void awaitSettled(WorkerPool pool) throws InterruptedException {
        for (CompletableFuture<?> future : this.pending) {
            try {
                future.get(30, TimeUnit.SECONDS);
            }
            catch (TimeoutException ex) {
                this.problems.add("a request's future never completed");
            }
            catch (ExecutionException ex) {
                boolean cancelledHere = this.cancelled.contains(future) && ex.getCause() instanceof CancellationException;
                if (!isNamedFailure(ex.getCause()) && !cancelledHere) {
                    this.problems.add("unexpected failure: " + ex.getCause());
                }
            }
        }
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> pool.inFlight() == 0 && pool.waitingCallers() == 0
                    && pool.state() == WorkerPool.State.RUNNING && pool.usableWorkers().size() == WORKERS);
            // the last answers may still be on their way through the parent's listeners
            await().atMost(Duration.ofSeconds(10)).until(() -> this.sent.stream()
                .allMatch((payload) -> this.echoed.contains(payload) || this.deadLettered.contains(payload)));
        }
        catch (org.awaitility.core.ConditionTimeoutException ex) {
            this.problems.add("did not settle: " + pool.snapshot());
        }
    }

    private void report(WorkerPool pool) {
        System.out.println("Soak: " + new TreeMap<>(this.outcomes) + "; " + this.sent.size() + " sent, "
                + this.echoed.size() + " echoes, " + this.deadLettered.size() + " dead letters; "
                + pool.restartCount() + " restarts, " + pool.recycleCount() + " replacements, "
                + pool.rebalancer().moved() + " messages moved to idle workers");
    }

    private void expectEcho(String payload, Object reply) {
        if (!payload.equals(reply)) {
            this.problems.add("request " + payload + " answered " + reply);
        }
        count("answered");
    }

    private void expectNamedFailure(Throwable failure) {
        if (isNamedFailure(failure)) {
            count("failed " + failure.getClass().getSimpleName());
        }
        else {
            this.problems.add("unexpected failure: " + failure);
        }
    }

    /** What the API says a request may fail with, under these faults. */
    private static boolean isNamedFailure(Throwable failure) {
        return failure instanceof ProcessExitedException || failure instanceof IpcTimeoutException
                || failure instanceof PoolUnavailableException || failure instanceof RemoteListenerException;
    }

    private void count(String outcome) {
        this.outcomes.computeIfAbsent(outcome, (key) -> new AtomicLong()).incrementAndGet();
    }

    private static String rootName(Throwable failure) {
        Throwable cause = (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null)
                ? failure.getCause() : failure;
        return cause.getClass().getSimpleName();
    }

    private static Thread start(String name, Runnable loop) {
        Thread thread = new Thread(loop, name);
        thread.start();
        return thread;
    }

    private static List<Thread> concat(List<Thread> first, List<Thread> second) {
        List<Thread> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
