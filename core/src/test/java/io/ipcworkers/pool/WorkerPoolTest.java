package io.ipcworkers.pool;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonValue;
import io.ipcworkers.CapturedLog;
import io.ipcworkers.ChildProcess;
import io.ipcworkers.DeadLetter;
import io.ipcworkers.IpcException;
import io.ipcworkers.IpcListener;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.MessageBus;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.OwnThread;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.RemoteListenerException;
import io.ipcworkers.UnknownPoolException;
import io.ipcworkers.WorkerSockets;
import io.ipcworkers.codec.Celsius;
import io.ipcworkers.codec.Reading;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import tools.jackson.core.type.TypeReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

/** Pools of plain workers, without Spring. */
class WorkerPoolTest {

    static final List<String> steps = new CopyOnWriteArrayList<>();

    static WorkerPools pools;

    static final List<Long> seenPids = new CopyOnWriteArrayList<>();

    /** A crashed worker is restarted after 50 ms; heartbeats every second. */
    private static final PoolSettings.Supervision QUICK_RESTART = new PoolSettings.Supervision(Duration.ofMillis(50),
            Duration.ofSeconds(1), 10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ZERO);

    static final List<String> heard = new CopyOnWriteArrayList<>();

    static final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

    static final List<String> told = new CopyOnWriteArrayList<>();

    static final Map<Long, ChildProcess> introduced = new ConcurrentHashMap<>();

    /** What the pools reported as sent to their workers, "pool:topic". */
    static final List<String> sent = new CopyOnWriteArrayList<>();

    /** pool:topic:exception of each failure of a parent listener, as the pools' listener is told. */
    static final List<String> parentListenerFailures = new CopyOnWriteArrayList<>();

    public static class ParentListeners {

        /** Answers a worker: one message to it through its handle, then the return value. */
        @IpcListener(topics = "question", pool = "echo")
        public String answer(String question, ChildProcess sender) {
            sender.sendMessage(Message.of("note", "noted " + question));
            return "answer to " + question;
        }

        @IpcListener(topics = "heard", pool = "echo")
        public void heard(String what) {
            heard.add(what);
        }

        /** A parent listener with a bug that throws an error rather than an exception. */
        @IpcListener(topics = "told", pool = "patient")
        public void told(String text) {
            if (text.startsWith("assert")) {
                throw new AssertionError(text);
            }
            told.add(text);
        }

        @IpcListener(DeadLetter.TOPIC)
        public void deadLetter(DeadLetter letter) {
            if ("a bug in the dead-letter listener".equals(letter.message().payload())) {
                throw new IllegalStateException("no dead letters today");
            }
            deadLetters.add(letter);
        }

        /** Keeps the worker's handle, for use later, elsewhere. */
        @IpcListener(topics = "introduced", pool = "echo")
        public void introduced(long pid, ChildProcess sender) {
            introduced.put(pid, sender);
        }

        @IpcListener(topics = "step", pool = "echo")
        public void step(Map<String, Integer> step, ChildProcess sender) {
            steps.add(sender.getId() + ":" + step.get("n") + "/" + step.get("of"));
        }
    }

    @BeforeAll
    static void start() {
        ListenerRegistry parent = ListenerRegistry.forParent();
        parent.registerAnnotatedMethods(new ParentListeners());
        LauncherSettings launcher = launcher();
        // "patient": nothing but the reply ends a caller's wait on its own (no timeout, no heartbeat meanwhile)
        PoolSettings.Supervision quiet = new PoolSettings.Supervision(Duration.ofSeconds(1), Duration.ofSeconds(30), 10,
                Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ZERO);
        pools = new WorkerPools(List.of(PoolSettings.of("echo", 2, EchoWorker.class.getName()),
                PoolSettings.of("late", 1, EchoWorker.class.getName()).withRequestTimeout(Duration.ofMillis(500)),
                PoolSettings.of("patient", 1, EchoWorker.class.getName()).withSupervision(quiet)
                    .withRequestTimeout(Duration.ofSeconds(60))),
                launcher, MessageCodec.withDefaultMapper(), parent, List.of(new PoolListener() {

                    @Override
                    public void messageSent(String pool, String topic) {
                        sent.add(pool + ":" + topic);
                    }

                    @Override
                    public void parentListenerFailed(String pool, String topic, Class<? extends Throwable> exception) {
                        parentListenerFailures.add(pool + ":" + topic + ":" + exception.getSimpleName());
                    }
                }));
        pools.start();
        seenPids.addAll(pools.pool("echo").workerPids());
    }

    /** Workers of 64 MiB heap, their output on the console. */
    static LauncherSettings launcher() {
        return new LauncherSettings(1 << 20, Duration.ofSeconds(30), ProcessOutput.console(), List.of("-Xmx64m"));
    }

    @AfterAll
    static void stop() {
        seenPids.addAll(pools.pool("echo").workerPids());
        seenPids.addAll(pools.pool("late").workerPids());
        seenPids.addAll(pools.pool("patient").workerPids());
        pools.close();
        assertThat(seenPids).noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void requestRepliesWithTheListenersReturnValue() throws Exception {
        assertThat(pools.request("echo", "echo", Map.of("a", 1), Map.class).get(10, TimeUnit.SECONDS)).isEqualTo(Map.of("a", 1));
        assertThat(pools.request("echo", "double", new EchoWorker.Job("x", 21), EchoWorker.Job.class).get(10, TimeUnit.SECONDS))
            .isEqualTo(new EchoWorker.Job("x", 42));
    }

    @Test
    void aPlainWorkerConvertsWithTheJacksonModulesAndCustomizersOnTheClassPathAsTheParentsDefaultMapperDoes()
            throws Exception {
        assertThat(pools.request("echo", "warmer", Celsius.of(20.5), Celsius.class).get(10, TimeUnit.SECONDS))
            .isEqualTo(Celsius.of(21.5));
        // a worker without the customizer would find no "value" (it is renamed) and answer 1 or nothing
        assertThat(pools.request("echo", "next-reading", new Reading(1.5), Reading.class).get(10, TimeUnit.SECONDS))
            .isEqualTo(new Reading(2.5));
    }

    @Test
    void aRequestMayAskForAReplyOfAGenericType() throws Exception {
        List<EchoWorker.Job> jobs = List.of(new EchoWorker.Job("a", 1), new EchoWorker.Job("b", 2));
        TypeReference<List<EchoWorker.Job>> listOfJobs = new TypeReference<>() {
        };
        assertThat(pools.request("echo", "echo", jobs, listOfJobs).get(10, TimeUnit.SECONDS)).isEqualTo(jobs);
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> pools.request("echo", "echo", List.of("x"), new TypeReference<List<Integer>>() {
            }).get(10, TimeUnit.SECONDS))
            .withCauseInstanceOf(PayloadConversionException.class);
        // a bus of another kind gets the same from the interface's default, through Message.class
        MessageBus forwarding = new MessageBus() {
            @Override
            public void send(String pool, String topic, Object payload) {
                pools.send(pool, topic, payload);
            }

            @Override
            public int broadcast(String pool, String topic, Object payload) {
                return pools.broadcast(pool, topic, payload);
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic, Object payload, Class<T> replyType) {
                return pools.request(pool, topic, payload, replyType);
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic, Object payload, Class<T> replyType,
                    Duration timeout) {
                return pools.request(pool, topic, payload, replyType, timeout);
            }
        };
        assertThat(forwarding.request("echo", "echo", jobs, listOfJobs).get(10, TimeUnit.SECONDS)).isEqualTo(jobs);
        assertThat(forwarding.request("echo", "echo", jobs, listOfJobs, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
            .isEqualTo(jobs);
        assertThat(pools.request("echo", "echo", jobs, listOfJobs, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
            .isEqualTo(jobs);
    }

    @Test
    void outstandingRequestsShareOneTimer() throws Exception {
        List<CompletableFuture<Object>> requests = new ArrayList<>();
        // each pool's supervision, and what earlier tests left pending: a restart, the end of a period of
        // throttled warnings (dead letters, parent listener failures)
        int before = pools.scheduledTasks();
        int mostScheduled = 0;
        for (int i = 0; i < 2_000; i++) {
            requests.add(pools.request("echo", "echo", i, Object.class));
            mostScheduled = Math.max(mostScheduled, pools.scheduledTasks());
        }
        CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // and now the pool's one request timer, its next look for a queue to share (Rebalancer), and room
        // for one more thing an earlier test set going (a crash seen only now): not one a request
        assertThat(mostScheduled).isLessThanOrEqualTo(before + 3);
    }

    @Test
    void requestsWithoutAReplyFailAtTheRequestTimeoutAndTheLateReplyIsDropped() throws Exception {
        WorkerPool late = pools.pool("late");
        CompletableFuture<Long> sleeping = late.request("sleep", 3_000, Long.class);
        assertTimedOut(sleeping, "sleep");
        // the timer found nothing else outstanding and stopped: a new request arms it again
        CompletableFuture<Object> queuedBehind = late.request("echo", "behind", Object.class);
        assertTimedOut(queuedBehind, "echo");
        await().atMost(Duration.ofSeconds(10)).until(() -> late.inFlight() == 0);

        assertThat(late.request("echo", "in time", Object.class).get(10, TimeUnit.SECONDS)).isEqualTo("in time");
        assertThat(sleeping).isCompletedExceptionally();
        assertThat(late.restartCount()).isZero();
    }

    @Test
    void concurrentRequestsEachEndByTheirReplyOrByTheirTimeout() throws Exception {
        WorkerPool late = pools.pool("late");
        List<CompletableFuture<Long>> requests = new CopyOnWriteArrayList<>();
        List<Long> lateAnswers = new CopyOnWriteArrayList<>();
        Thread[] senders = new Thread[4];
        for (int t = 0; t < senders.length; t++) {
            senders[t] = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    long sent = System.nanoTime();
                    // ~2 s of work queued on one worker: the later requests outlive their 0.5 s timeout
                    CompletableFuture<Long> request = late.request("sleep", i % 20, Long.class);
                    request.thenRun(() -> {
                        long millis = (System.nanoTime() - sent) / 1_000_000;
                        if (millis > 1_500) {
                            lateAnswers.add(millis);
                        }
                    });
                    requests.add(request);
                }
            });
            senders[t].start();
        }
        for (Thread sender : senders) {
            sender.join();
        }
        int answered = 0;
        int timedOut = 0;
        for (CompletableFuture<Long> request : requests) {
            try {
                request.get(10, TimeUnit.SECONDS);
                answered++;
            }
            catch (ExecutionException ex) {
                assertThat(ex.getCause()).isInstanceOf(IpcTimeoutException.class);
                timedOut++;
            }
        }
        assertThat(answered + timedOut).isEqualTo(200);
        assertThat(answered).isPositive();
        assertThat(timedOut).isPositive();
        // an answer a second past the timeout means a deadline was missed
        assertThat(lateAnswers).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> late.inFlight() == 0);
    }

    @Test
    void aCallbackThatBlocksOnATimedOutRequestDelaysNoOtherTimeout() throws Exception {
        WorkerPool late = pools.pool("late");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> first = late.request("sleep", 2_000, Long.class);
        first.whenComplete((result, failure) -> {
            try {
                release.await(10, TimeUnit.SECONDS); // a caller's callback that blocks
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(200);
        CompletableFuture<Object> second = late.request("echo", "queued behind the first", Object.class);
        try {
            assertTimedOut(second, "echo"); // due while the first one's callback still blocks
        }
        finally {
            release.countDown();
        }
        assertThat(first).isCompletedExceptionally();
        await().atMost(Duration.ofSeconds(10)).until(() -> late.inFlight() == 0);
    }

    @Test
    void aRequestMayHaveATimeoutOfItsOwnShorterOrLongerThanThePools() throws Exception {
        WorkerPool patient = pools.pool("patient"); // 60 s
        int timers = pools.scheduledTasks();
        CompletableFuture<Long> slow = patient.request("sleep", 2_500, Long.class); // arms the timer for 60 s
        CompletableFuture<Long> hasty = pools.request("patient", "sleep", 0, Long.class, Duration.ofMillis(300));
        assertThat(pools.scheduledTasks()).as("the timer armed again for the earlier deadline, not a second one")
            .isLessThanOrEqualTo(timers + 1);
        // queued behind the slow one: only the timer, armed again for the earlier deadline, can end it in time
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> hasty.get(2, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(IpcTimeoutException.class)
            .withMessage("Request 'sleep' to pool 'patient' got no reply within PT0.3S");
        assertThat(slow).isNotDone();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isPositive();

        // the pool's timeout is 0.5 s
        assertThat(pools.request("late", "sleep", 1_000, Long.class, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
            .isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> patient.inFlight() == 0);

        assertThatIllegalArgumentException().isThrownBy(() -> pools.request("late", "echo", 1, Long.class, Duration.ZERO))
            .withMessage("A request's timeout must be positive, was PT0S");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> pools.request("late", "echo", 1, Long.class, Duration.ofSeconds(-1)))
            .withMessage("A request's timeout must be positive, was PT-1S");
        assertThatNullPointerException().isThrownBy(() -> pools.request("late", "echo", 1, Long.class, null))
            .withMessage("'timeout' must not be null");
    }

    private static void assertTimedOut(CompletableFuture<?> request, String topic) {
        // the listener sleeps far longer: a timer that does not fire lets the reply complete the request
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> request.get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(IpcTimeoutException.class)
            .withMessage("Request '" + topic + "' to pool 'late' got no reply within PT0.5S");
    }

    @Test
    void aCallerBlockedOnItsRequestReadsTheReplyOnItsOwnThread() throws Exception {
        List<Thread> completedOn = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<Long> request = pools.request("echo", "sleep", 100, Long.class);
            request.whenComplete((pid, failure) -> completedOn.add(Thread.currentThread()));
            assertThat(request.get(10, TimeUnit.SECONDS)).isPositive();
        }
        // not the pool's reader thread, which would then have to wake this one (it may, if it held the socket)
        assertThat(completedOn).contains(Thread.currentThread());
    }

    @Test
    void aCallerReadingForItsReplyIsWokenWhenTheRequestIsCancelledElsewhere() throws Exception {
        CompletableFuture<Long> request = pools.request("patient", "sleep", 6_000, Long.class);
        OwnThread.run(() -> {
            sleepQuietly(200);
            request.cancel(false);
        });
        long started = System.nanoTime();

        assertThatExceptionOfType(java.util.concurrent.CancellationException.class).isThrownBy(request::get);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("woken, not left until the reply")
            .isLessThan(Duration.ofSeconds(4));
        await().atMost(Duration.ofSeconds(30)).until(() -> pools.pool("patient").inFlight() == 0);
    }

    @Test
    void anInterruptedCallerGetsInterruptedExceptionAndTheReplyStillArrives() throws Exception {
        CompletableFuture<Long> request = pools.request("patient", "sleep", 1_000, Long.class);
        CompletableFuture<Throwable> interrupted = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                request.get();
                interrupted.complete(null);
            }
            catch (Exception ex) {
                interrupted.complete(ex);
            }
        });
        caller.start();
        sleepQuietly(200);
        caller.interrupt();

        assertThat(interrupted.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(request.get(10, TimeUnit.SECONDS)).isEqualTo(pools.pool("patient").workerPids().get(0));
        assertThat(pools.request("patient", "echo", "next", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("next");
    }

    @Test
    void callersBlockedOnRequestsToTheSameWorkersAtOnceEachGetTheirOwnReply() throws Exception {
        // they take turns reading each worker, and read each other's replies: none is lost or mixed up
        List<String> wrong = new CopyOnWriteArrayList<>();
        Thread[] callers = new Thread[4];
        for (int t = 0; t < callers.length; t++) {
            int caller = t;
            callers[t] = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    String payload = caller + ":" + i;
                    CompletableFuture<String> reply = pools.request("echo", "echo", payload, String.class);
                    try {
                        String answer = (i % 2 == 0) ? reply.join() : reply.get(10, TimeUnit.SECONDS);
                        if (!payload.equals(answer)) {
                            wrong.add(payload + " got " + answer);
                        }
                    }
                    catch (Exception ex) {
                        wrong.add(payload + " failed: " + ex);
                    }
                }
            });
            callers[t].start();
        }
        for (Thread caller : callers) {
            caller.join(60_000);
        }
        assertThat(callers).noneMatch(Thread::isAlive);
        assertThat(wrong).isEmpty();
    }

    @Test
    void aCallbackThatWaitsForAnotherRequestToTheSameWorkerGetsItsReply() throws Exception {
        // the callback runs on the thread that read the first reply, and reads the second one itself
        CompletableFuture<String> nested = pools.request("patient", "echo", "first", String.class)
            .thenApply((first) -> first + "," + pools.request("patient", "echo", "second", String.class).join());

        assertThat(nested.get(10, TimeUnit.SECONDS)).isEqualTo("first,second");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void requestsSpreadOverTheWorkers() throws Exception {
        List<CompletableFuture<Long>> pids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pids.add(pools.request("echo", "sleep", 300, Long.class));
        }
        assertThat(pids.stream().map(CompletableFuture::join).distinct()).hasSize(2);
    }

    @Test
    void listenerExceptionFailsTheRequestWithItsTypeAndMessage() {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> pools.request("echo", "fail", "bad input", Object.class).get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(RemoteListenerException.class)
            .withMessageContaining("Listener for topic 'fail' on worker echo-")
            .withMessageContaining("java.lang.IllegalStateException: bad input");
    }

    @Test
    void aSendWhoseListenerThrowsOrWhosePayloadDoesNotConvertBecomesADeadLetterSayingWhy() throws Exception {
        WorkerPool patient = pools.pool("patient"); // one worker: the sends after the failures reach it too
        long restarts = patient.restartCount();

        patient.send("fail", "disk on fire");
        patient.send("double", "not a job");
        assertThat(patient.request("echo", "after", Object.class).get(10, TimeUnit.SECONDS)).isEqualTo("after");

        await().atMost(Duration.ofSeconds(10)).until(() -> failedSendsToPatient().size() == 2);
        List<DeadLetter> letters = failedSendsToPatient();
        assertThat(letters.get(0).topic()).isEqualTo("fail");
        assertThat(letters.get(0).message().payloadAs(String.class)).isEqualTo("disk on fire");
        assertThat(letters.get(0).deliveries()).isOne();
        assertThat(letters.get(0).reason()).startsWith("Listener for topic 'fail' on worker patient-")
            .endsWith("failed: java.lang.IllegalStateException: disk on fire");
        assertThat(letters.get(1).topic()).isEqualTo("double");
        assertThat(letters.get(1).reason()).contains("not a job").contains(EchoWorker.Job.class.getName());
        assertThat(patient.inFlight()).isZero();
        assertThat(patient.restartCount()).isEqualTo(restarts);
    }

    @Test
    void aWorkerListenerThatThrowsAnErrorFailsItsRequestAndTheWorkerKeepsWorking() throws Exception {
        WorkerPool patient = pools.pool("patient");
        List<Long> pids = patient.workerPids();
        long restarts = patient.restartCount();

        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> patient.request("fail-error", "assert", Object.class).get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(RemoteListenerException.class)
            .withMessageContaining("java.lang.AssertionError: assert");
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> patient.request("fail-error", "linkage", Object.class).get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(RemoteListenerException.class)
            .withMessageContaining("java.lang.NoClassDefFoundError: com/example/Missing");
        assertThat(patient.request("echo", "after", Object.class).get(10, TimeUnit.SECONDS)).isEqualTo("after");
        assertThat(patient.workerPids()).isEqualTo(pids);
        assertThat(patient.restartCount()).isEqualTo(restarts);
    }

    @Test
    void aWorkerListenerCannotTakeTheDispatchersMessagesWithGetNextMessage() throws Exception {
        WorkerPool patient = pools.pool("patient");
        List<Long> pids = patient.workerPids();
        CompletableFuture<Object> misuse = patient.request("next", null, Object.class);
        CompletableFuture<Object> behind = patient.request("echo", "behind", Object.class); // what it would have taken

        assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> misuse.get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(RemoteListenerException.class)
            .withMessageContaining("IllegalStateException: In a pool worker the parent's messages go to @IpcListener "
                    + "methods, not to getNextMessage()");
        assertThat(behind.get(10, TimeUnit.SECONDS)).isEqualTo("behind");
        assertThat(patient.workerPids()).isEqualTo(pids);
    }

    @Test
    void aParentListenerThatThrowsAnErrorDoesNotStopTheMessagesOfItsWorkerAndHasItsFailuresLoggedWithoutAFlood() {
        WorkerPool patient = pools.pool("patient"); // one worker: every message below comes from it
        try (CapturedLog log = new CapturedLog(InboundDispatcher.class)) {
            for (int i = 0; i < 5; i++) {
                patient.send("tell", "assert: a bug in a parent listener");
                patient.send("tell", "after " + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> told.size() == 5);
            assertThat(told).containsExactly("after 0", "after 1", "after 2", "after 3", "after 4");
            assertThat(parentListenerFailures).filteredOn((failure) -> failure.startsWith("patient:told:"))
                .isEqualTo(Collections.nCopies(5, "patient:told:AssertionError"));
            // the first, a new kind, at once with its stack trace; the others of its period in one line at the
            // period's end (held back until then)
            String failed = "@IpcListener for topic 'told' from " + patient.currentWorkers().get(0)
                    + " failed; the message is dropped";
            Pattern following = Pattern.compile("^(\\d+) more failures? of parent @IpcListener methods on messages "
                    + "from pool 'patient' within 10 s of the one logged before \\(topics 'told' x\\1\\); the first, "
                    + "topic 'told' from .*: java.lang.AssertionError: assert: a bug in a parent listener; the message "
                    + "is dropped$");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                int heldBack = patient.listenerFailureWarnings().heldBack();
                List<String> lines = log.messages();
                List<String> alone = lines.stream().filter((line) -> line.startsWith("@IpcListener")).toList();
                int followed = lines.stream().map(following::matcher).filter(Matcher::matches)
                    .mapToInt((matched) -> Integer.parseInt(matched.group(1))).sum();
                assertThat(alone.size() + followed + heldBack).as("failures accounted for").isEqualTo(5);
                // a period a failure before these started may end among them: then one more on its own
                assertThat(alone).hasSizeLessThanOrEqualTo(2).first().isEqualTo(failed);
            });
        }
    }

    @Test
    void aDeadLetterListenerThatThrowsIsCountedAndLoggedAsOtherParentListenersAndTheLetterLoggedAsUnclaimed() {
        WorkerPool patient = pools.pool("patient");
        try (CapturedLog failures = new CapturedLog(InboundDispatcher.class);
                CapturedLog letters = new CapturedLog(WorkerPool.class)) {
            for (int i = 0; i < 3; i++) {
                patient.send("fail", "a bug in the dead-letter listener"); // each a dead letter its listener throws on
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> parentListenerFailures.stream()
                .filter("patient:ipc.dead-letter:IllegalStateException"::equals).count() == 3);
            assertThat(failures.messages()).filteredOn((line) -> line.contains("dead letter of topic 'fail'")).first()
                .isEqualTo("@IpcListener for topic 'ipc.dead-letter' on a dead letter of topic 'fail' failed; the letter "
                        + "is logged as unclaimed");
            // the letters themselves, unclaimed: in a line of their own, or held for the period's line
            await().atMost(Duration.ofSeconds(10)).until(() -> letters.messages().stream()
                .anyMatch((line) -> line.contains("a bug in the dead-letter listener")) || patient.deadLettersHeldBack() > 0);
        }
    }

    private static List<DeadLetter> failedSendsToPatient() {
        return deadLetters.stream().filter((letter) -> letter.pool().equals("patient")
                && (letter.topic().equals("fail") || letter.topic().equals("double"))).toList();
    }

    @Test
    void aWorkerListenerForOnePoolIsAnnouncedByThatPoolsWorkersOnly() throws Exception {
        assertThat(pools.request("patient", "patience", null, String.class).get(10, TimeUnit.SECONDS)).isEqualTo("patient");
        assertThatExceptionOfType(ExecutionException.class) // refused by the parent, not sent to a worker that would refuse it
            .isThrownBy(() -> pools.request("echo", "patience", null, Object.class).get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(NoListenerException.class)
            .withMessageStartingWith("No listener for topic 'patience' in pool 'echo' (its workers listen to [");
    }

    @Test
    void aListenerThatReturnsAFutureRepliesWithWhatItCompletesWith() throws Exception {
        assertThat(pools.request("echo", "later", "x", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("later x");
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> pools.request("echo", "later-fail", "no disk", Object.class).get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(RemoteListenerException.class)
            .withMessageEndingWith("failed: java.lang.IllegalStateException: no disk");
    }

    @Test
    void unknownTopicFailsTheRequest() {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> pools.request("echo", "nope", null, Object.class).get(10, TimeUnit.SECONDS))
            .havingCause().isInstanceOf(NoListenerException.class)
            .withMessageContaining("No listener for topic 'nope' in pool 'echo'");
    }

    @Test
    void aRequestToAListenerThatReturnsNothingCompletesWithNull() throws Exception {
        assertThat(pools.request("echo", "progress", 0, Void.class).get(10, TimeUnit.SECONDS)).isNull(); // a void method
        assertThat(pools.request("echo", "echo", null, String.class).get(10, TimeUnit.SECONDS)).isNull(); // one returning null
        Message reply = pools.request("echo", "echo", null, Message.class).get(10, TimeUnit.SECONDS); // the reply itself
        assertThat(reply.topic()).isEqualTo("echo");
        assertThat(reply.payload()).isNull();
    }

    @Test
    void sendAndBroadcastRefuseATopicNoWorkerListensToAndSendNothing() throws Exception {
        WorkerPool echo = pools.pool("echo");
        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> pools.send("echo", "nope", 1))
            .withMessageStartingWith("No listener for topic 'nope' in pool 'echo' (its workers listen to [")
            .withMessageContaining("echo");
        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> pools.broadcast("echo", "nope", 1))
            .withMessageStartingWith("No listener for topic 'nope' in pool 'echo' (its workers listen to [");
        assertThat(echo.inFlight()).isZero(); // no room was kept for them
        assertThat(pools.request("echo", "echo", "still fine", Object.class).get(10, TimeUnit.SECONDS))
            .isEqualTo("still fine");
    }

    @Test
    void aSenderWaitingForRoomReadsTheWorkersAnswersItself() throws Exception {
        WorkerPool patient = pools.pool("patient"); // one worker, 256 in flight at most
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        CompletableFuture<Long> slept = patient.request("sleep", 1_000L, Long.class);
        slept.whenComplete((pid, failure) -> completedOn.set(Thread.currentThread()));
        for (int i = 0; i < 300; i++) { // the worker sleeps: this caller fills it and then waits for room
            patient.send("progress", 0);
        }
        // while it waited it read the worker's connection, so the reply to the sleep came to it
        assertThat(slept).isCompleted();
        assertThat(completedOn.get()).isSameAs(Thread.currentThread());
        await().atMost(Duration.ofSeconds(10)).until(() -> patient.inFlight() == 0);
    }

    @Test
    void anInterruptedSenderWaitingForRoomStopsAtOnceAndThePoolStaysUsable() throws Exception {
        WorkerPool patient = pools.pool("patient");
        CompletableFuture<Long> slept = patient.request("sleep", 2_000L, Long.class);
        CountDownLatch full = new CountDownLatch(1);
        AtomicReference<Thread> sender = new AtomicReference<>();
        CompletableFuture<Boolean> interrupted = OwnThread.supply(() -> {
            sender.set(Thread.currentThread());
            try {
                for (int i = 0; i < 300; i++) {
                    if (patient.inFlight() == 256) {
                        full.countDown();
                    }
                    patient.send("progress", 0);
                }
                return false;
            }
            catch (IpcException ex) {
                assertThat(ex).hasMessage("Interrupted while waiting for a worker of pool 'patient'");
                return Thread.interrupted();
            }
        });
        assertThat(full.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100); // it waits for room now, reading the worker's connection
        sender.get().interrupt();
        assertThat(interrupted.get(1_500, TimeUnit.MILLISECONDS)).isTrue(); // not after the sleep
        assertThat(slept).isNotDone();
        assertThat(slept.get(10, TimeUnit.SECONDS)).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> patient.inFlight() == 0);
        assertThat(patient.request("echo", "after", Object.class).get(10, TimeUnit.SECONDS)).isEqualTo("after");
    }

    /** Jackson cannot write it: its getter throws. */
    public static class BrokenGetter {

        public String getValue() {
            throw new IllegalStateException("no value today");
        }
    }

    @Test
    void aPayloadThatCannotBeWrittenFailsItsCallerAndKeepsNoPlaceInFlight() throws Exception {
        WorkerPool patient = pools.pool("patient"); // one worker: a place kept by mistake would add up
        for (int i = 0; i < 300; i++) { // more than max-in-flight
            assertThatExceptionOfType(PayloadConversionException.class)
                .isThrownBy(() -> patient.send("echo", new BrokenGetter()))
                .withMessageContaining("'echo'").withMessageContaining(BrokenGetter.class.getName());
            assertThatExceptionOfType(PayloadConversionException.class)
                .isThrownBy(() -> patient.request("echo", new BrokenGetter(), Object.class))
                .withMessageContaining("'echo'");
            assertThatExceptionOfType(PayloadConversionException.class)
                .isThrownBy(() -> patient.broadcast("echo", new BrokenGetter()))
                .withMessageContaining("'echo'");
        }
        assertThat(patient.inFlight()).isZero();
        assertThat(patient.request("echo", "still fine", Object.class).get(10, TimeUnit.SECONDS)).isEqualTo("still fine");
        assertThat(patient.restartCount()).isZero();
    }

    @Test
    void poolsThatCouldNeverWorkAreRefusedWhenBuiltAndLeaveNothingOpen() {
        LauncherSettings launcher = launcher();
        Set<Thread> acceptingBefore = WorkerSockets.acceptingThreads();

        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerPools(List.of(PoolSettings.of("broken", 1,
                BrokenListenerWorker.class.getName())), launcher, MessageCodec.withDefaultMapper(), ListenerRegistry.forParent()))
            .withMessageContaining("@IpcListener method " + BrokenListenerWorker.class.getName()
                    + ".both(String, String) has more than one payload parameter");
        assertThatIllegalArgumentException().isThrownBy(() -> new WorkerPools(List.of(PoolSettings.of("twice", 1,
                EchoWorker.class.getName()), PoolSettings.of("twice", 2, EchoWorker.class.getName())), launcher,
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent()))
            .withMessage("Two pools are named 'twice'");
        await().atMost(Duration.ofSeconds(10)).until(() -> acceptingBefore.containsAll(WorkerSockets.acceptingThreads()));
    }

    @Test
    void theHeadersAnObserverGivesASendOrRequestReachTheWorkersObserverAndBack() throws Exception {
        Map<String, Map<String, String>> heardWith = new ConcurrentHashMap<>();
        List<String> heard = new CopyOnWriteArrayList<>();
        ThreadLocal<String> listening = new ThreadLocal<>();
        PoolObserver observer = new PoolObserver() {

            @Override
            public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
                String within = listening.get();
                return sending.applyAsInt(Map.of("traceparent", (broadcast ? "broadcast-" : "send-") + topic
                        + ((within != null) ? " within " + within : "")));
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic,
                    Function<Map<String, String>, CompletableFuture<T>> requesting) {
                return requesting.apply(Map.of("traceparent", "request-" + topic, "baggage", "tenant=ä"));
            }

            @Override
            public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                    Callable<@Nullable Object> call) throws Exception {
                heardWith.put(topic, headers);
                listening.set(topic);
                try {
                    return call.call();
                }
                finally {
                    listening.remove();
                }
            }
        };
        ListenerRegistry parentListeners = ListenerRegistry.forParent();
        parentListeners.registerAnnotatedMethods(new Object() {

            @IpcListener("told")
            public void told(String what) {
                heard.add(what);
            }

            @IpcListener("answer-parent")
            public void answered(String what) {
                heard.add(what);
            }

            @IpcListener("ask-parent")
            public String asked(ChildProcess sender) {
                sender.sendMessage(Message.of("remember", null));
                return "pong";
            }
        });
        try (WorkerPools observed = new WorkerPools(List.of(PoolSettings.of("headers", 1, HeadersWorker.class.getName())),
                launcher(), MessageCodec.withDefaultMapper(), parentListeners, List.of(), observer)) {
            observed.start();
            assertThat(observed.request("headers", "observe", null, Boolean.class).get(10, TimeUnit.SECONDS)).isTrue();

            assertThat(observed.request("headers", "headers", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "request-headers", "baggage", "tenant=ä"));
            // with a deadline of its own, which the body carries after the headers
            assertThat(observed.request("headers", "headers", null, new TypeReference<Map<String, String>>() {
            }, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "request-headers", "baggage", "tenant=ä"));
            observed.send("headers", "remember", null);
            assertThat(observed.request("headers", "remembered", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "send-remember"));
            assertThat(observed.broadcast("headers", "remember", null)).isEqualTo(1);
            assertThat(observed.request("headers", "remembered", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "broadcast-remember"));

            // and what the worker's observer gives a message the worker sends reaches the parent's,
            // a send within a listener's observation as much as its return value
            observed.send("headers", "tell-parent", "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("hello"));
            assertThat(heardWith.get("told")).isEqualTo(Map.of("from", "headers/told within tell-parent"));
            observed.send("headers", "answer-parent", "hi");
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("answered hi"));
            assertThat(heardWith.get("answer-parent")).isEqualTo(Map.of("from", "headers/answer-parent within answer-parent"));

            // a parent listener's return value and what it sends its worker are sent within its observation
            observed.send("headers", "start-asking", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> Map.of("traceparent", "send-ask-parent within ask-parent")
                .equals(observed.request("headers", "answered-with", null, Map.class).get(10, TimeUnit.SECONDS)));
            assertThat(heardWith.get("ask-parent")).isEqualTo(Map.of("from", "headers/ask-parent within start-asking"));
            assertThat(observed.request("headers", "remembered", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "send-remember within ask-parent"));
        }
    }

    @Test
    void anAnswerThatCannotBeWrittenFailsItsSendsObservationNotItsListenersAndIsLogged() throws Exception {
        List<String> outcomes = new CopyOnWriteArrayList<>();
        PoolObserver observer = new PoolObserver() {

            @Override
            public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
                try {
                    return sending.applyAsInt(Map.of());
                }
                catch (RuntimeException ex) {
                    outcomes.add("send " + topic + " failed");
                    throw ex;
                }
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic,
                    Function<Map<String, String>, CompletableFuture<T>> requesting) {
                return requesting.apply(Map.of());
            }

            @Override
            public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                    Callable<@Nullable Object> call) throws Exception {
                Object returned = call.call();
                outcomes.add("listen " + topic + " returned");
                return returned;
            }
        };
        List<String> failed = new CopyOnWriteArrayList<>();
        PoolListener counting = new PoolListener() {

            @Override
            public void parentListenerFailed(String pool, String topic, Class<? extends Throwable> exception) {
                failed.add(topic);
            }
        };
        ListenerRegistry parentListeners = ListenerRegistry.forParent();
        parentListeners.registerAnnotatedMethods(new Object() {

            @IpcListener("ask-parent")
            public Unwritable asked() {
                return new Unwritable();
            }
        });
        try (CapturedLog log = new CapturedLog(InboundDispatcher.class);
                WorkerPools observed = new WorkerPools(List.of(PoolSettings.of("headers", 1, HeadersWorker.class.getName())),
                        launcher(), MessageCodec.withDefaultMapper(), parentListeners, List.of(counting), observer)) {
            observed.start();
            observed.send("headers", "start-asking", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.messages().isEmpty());

            assertThat(log.messages()).hasSize(1);
            assertThat(log.messages().get(0)).startsWith("Could not send the reply to 'ask-parent' back to Worker headers-1");
            assertThat(outcomes).containsExactly("send ask-parent failed", "listen ask-parent returned");
            assertThat(failed).isEmpty();
            // and the worker goes on
            assertThat(observed.request("headers", "answered-with", null, Map.class).get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    /** A value Jackson cannot write: its one property throws. */
    public static final class Unwritable {

        public String getValue() {
            throw new IllegalStateException("not today");
        }
    }

    @Test
    void aParentListenerForAPoolThatDoesNotExistIsWarnedOfAtStart() {
        ListenerRegistry registry = ListenerRegistry.forParent();
        registry.registerAnnotatedMethods(new MisspeltPoolListener());
        LauncherSettings launcher = launcher();
        List<String> logged;
        try (CapturedLog log = new CapturedLog(WorkerPools.class);
                WorkerPools none = new WorkerPools(List.of(), launcher, MessageCodec.withDefaultMapper(), registry)) {
            none.start();
            logged = log.messages();
        }

        assertThat(logged).containsExactly("@IpcListener "
                + MisspeltPoolListener.class.getName() + ".step(String) takes messages of pool 'ehco' only, but no "
                + "pool has that name (pools: []), so it will never be called");
    }

    public static class MisspeltPoolListener {

        @IpcListener(topics = "step", pool = "ehco")
        public void step(String step) {
        }

        @IpcListener("any")
        public void any(String message) {
        }
    }

    @Test
    void aStopReturnsOnceThePoolHasRecordedEachWorkersExit() {
        List<String> exits = new CopyOnWriteArrayList<>();
        PoolListener slowToTell = new PoolListener() {

            @Override
            public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String description) {
                try {
                    Thread.sleep(300); // the worker's reader tells this after the process has gone
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                exits.add(worker + " " + cause);
            }
        };
        WorkerPools stopping = new WorkerPools(List.of(PoolSettings.of("stopping", 2, EchoWorker.class.getName())), launcher(),
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent(), List.of(slowToTell));
        try (stopping) {
            stopping.start();
            WorkerPool pool = stopping.pool("stopping");
            seenPids.addAll(pool.workerPids());

            stopping.stop();

            assertThat(exits).containsExactlyInAnyOrder("stopping-1 stopped", "stopping-2 stopped");
            assertThat(pool.snapshot().workers()).extracting(PoolSnapshot.WorkerSnapshot::state).containsExactly("stopped",
                    "stopped");
        }
    }

    @Test
    void workersWhoseHeapsMayOutgrowTheMachineAreWarnedOfAtStartFromWhatTheyTold() {
        long machineMegabytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize() >> 20;
        List<String> snug;
        try (CapturedLog log = new CapturedLog(HeapBudget.class);
                WorkerPools pool = new WorkerPools(List.of(PoolSettings.of("snug", 1, EchoWorker.class.getName())), launcher(),
                        MessageCodec.withDefaultMapper(), ListenerRegistry.forParent())) {
            pool.start();
            snug = log.messages();
        }
        assertThat(snug).isEmpty();

        // a heap the JVM reserves, not takes: a worker with more than the machine starts all the same
        PoolSettings roomy = PoolSettings.of("roomy", 1, EchoWorker.class.getName())
            .withJvmArgs(List.of("-Xmx" + (machineMegabytes + 1024) + "m"));
        List<String> warned;
        @Nullable Long inSnapshot;
        try (CapturedLog log = new CapturedLog(HeapBudget.class);
                WorkerPools pool = new WorkerPools(List.of(roomy), launcher(), MessageCodec.withDefaultMapper(),
                        ListenerRegistry.forParent())) {
            pool.start();
            warned = log.messages();
            inSnapshot = pool.pool("roomy").snapshot().workers().get(0).maxHeapBytes();
        }
        assertThat(warned).singleElement().asString()
            .startsWith("The heaps of this application and its pools' workers may grow to ")
            .contains(String.format(Locale.ROOT, "more than the %,d MB of memory the JVM sees", machineMegabytes));
        Matcher told = Pattern.compile("pool 'roomy': 1 worker up to ([0-9,]+) MB\\)").matcher(warned.get(0));
        assertThat(told.find()).as(warned.get(0)).isTrue();
        // the JVM rounds the heap up to its regions
        assertThat(Long.parseLong(told.group(1).replace(",", ""))).isBetween(machineMegabytes + 1024,
                machineMegabytes + 1024 + 256);
        assertThat(inSnapshot).isNotNull();
        assertThat(inSnapshot >> 20).isBetween(machineMegabytes + 1024, machineMegabytes + 1024 + 256);
    }

    @Test
    void aWorkerClassWithListenersForOtherPoolsOnlyCannotStartAPoolOfItsOwn() {
        LauncherSettings launcher = launcher();
        WorkerPools lonely = new WorkerPools(List.of(PoolSettings.of("lonely", 1, OtherPoolsWorker.class.getName())), launcher,
                MessageCodec.withDefaultMapper(), ListenerRegistry.forParent());
        try (lonely) {
            assertThatExceptionOfType(PoolStartException.class).isThrownBy(lonely::start)
                .withMessageContaining("Worker class " + OtherPoolsWorker.class.getName() + " of pool 'lonely' has no "
                        + "@IpcListener methods for this pool, so it could never handle a message");
        }
    }

    @Test
    void roundRobinRoutingGivesEachWorkerItsTurnEvenWhileItIsBusy() throws Exception {
        LauncherSettings launcher = launcher();
        try (WorkerPools turns = new WorkerPools(List.of(PoolSettings.of("turns", 2, EchoWorker.class.getName())
            .withRouting(Routing.ROUND_ROBIN)), launcher, MessageCodec.withDefaultMapper(), ListenerRegistry.forParent())) {
            turns.start();
            CompletableFuture<Long> sleeping = turns.request("turns", "sleep", 500, Long.class);
            long other = turns.request("turns", "pid", null, Long.class).get(10, TimeUnit.SECONDS);
            // least-busy would pick the idle worker again; round-robin queues it behind the sleeping one
            CompletableFuture<Long> third = turns.request("turns", "pid", null, Long.class);

            long sleeper = sleeping.get(10, TimeUnit.SECONDS);
            assertThat(other).isNotEqualTo(sleeper);
            assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo(sleeper);
        }
    }

    @Test
    void leastBusyRoutingPassesOverAWorkerWhoseListenerHasRunLongWhileTheOtherHasAShortQueue() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            settleTypicalTime(busy, 2);
            CompletableFuture<Long> sleeping = busy.request("busy", "sleep", 4_000, Long.class);
            Thread.sleep(300);
            // sent at once, the short ones queue up on the other worker; counting messages alone sent
            // every other one to the sleeping worker once the two had as many
            List<CompletableFuture<Long>> quick = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                quick.add(busy.request("busy", "sleep", 20, Long.class));
            }
            Set<Long> quickPids = new HashSet<>();
            for (CompletableFuture<Long> each : quick) {
                quickPids.add(each.get(10, TimeUnit.SECONDS));
            }
            assertThat(sleeping).isNotDone();
            long sleeper = sleeping.get(10, TimeUnit.SECONDS);
            assertThat(quickPids).hasSize(1).doesNotContain(sleeper);
        }
    }

    @Test
    void leastBusyRoutingSpreadsRequestsSentAtOnceAlthoughTheFirstTookLongToWrite() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            settleTypicalTime(busy, 20);
            // the first runs from when it is written: its 200 ms of serializing are no listener running long
            List<CompletableFuture<Long>> jobs = new ArrayList<>();
            jobs.add(busy.request("busy", "sleep", new SlowToWrite(400), Long.class));
            for (int i = 1; i < 8; i++) {
                jobs.add(busy.request("busy", "sleep", 400, Long.class));
            }
            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            assertThat(jobsByWorker.values()).containsExactly(4, 4);
        }
    }

    @Test
    void leastBusyRoutingSpreadsLongRequestsSentApartToAPoolThatHasTimedOnlyShortOnes() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            settleTypicalTime(busy, 1);
            // each listener has run long past the typical time when the next is sent: with the messages
            // queued behind a long one counted at the typical time, the first worker's looked longest and
            // the second got all but the first
            List<CompletableFuture<Long>> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                if (i > 0) {
                    Thread.sleep(40);
                }
                jobs.add(busy.request("busy", "sleep", 300, Long.class));
            }
            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            assertThat(jobsByWorker).hasSize(2);
            assertThat(jobsByWorker.values()).allSatisfy((count) -> assertThat(count).isGreaterThanOrEqualTo(2));
        }
    }

    @Test
    void aReplacementTakesOverTheQueueOfTheWorkerItReplacesInsteadOfWaitingIdle() throws Exception {
        AtomicInteger reportedMoved = new AtomicInteger();
        PoolListener counting = new PoolListener() {
            @Override
            public void messagesMoved(String pool, int count) {
                reportedMoved.addAndGet(count);
            }
        };
        try (WorkerPools busy = twoWorkers(UnaryOperator.identity(), counting)) {
            WorkerPool pool = busy.pool("busy");
            List<CompletableFuture<Long>> jobs = sleeps(busy, 8, 600); // four for each worker
            long replaced = pool.workerPids().get(0);
            assertThat(pool.restartWorker(replaced)).isTrue(); // once the replacement is ready
            long replacement = pool.workerPids().get(0);

            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            // routed once, when sent, the four ran where they were sent, and the replacement waited idle
            assertThat(jobsByWorker.getOrDefault(replacement, 0)).isPositive();
            assertThat(jobsByWorker.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
            assertThat(pool.inFlight()).isZero();
            assertThat((long) reportedMoved.get()).as("moves reported to the pool's listeners")
                .isPositive().isEqualTo(pool.snapshot().messagesMoved());
        }
    }

    @Test
    void aCrashedWorkersReplacementTakesAShareOfWhatWasRedeliveredToTheOther() throws Exception {
        try (WorkerPools busy = twoWorkers((settings) -> settings.withSupervision(QUICK_RESTART)
            .withDelivery(new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 3)))) {
            WorkerPool pool = busy.pool("busy");
            List<CompletableFuture<Long>> jobs = sleeps(busy, 8, 600);
            long crashed = pool.workerPids().get(0);
            Thread.sleep(100);
            ProcessHandle.of(crashed).ifPresent(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> pool.usableWorkers().size() == 2 && !pool.workerPids().contains(crashed));
            long replacement = pool.workerPids().get(0);

            Map<Long, Integer> jobsByWorker = jobsByWorker(jobs);
            // its four went to the only worker left, behind that one's own four
            assertThat(jobsByWorker.getOrDefault(replacement, 0)).isPositive();
            assertThat(jobsByWorker).doesNotContainKey(crashed);
            assertThat(jobsByWorker.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8);
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void longRequestsQueuedAtOneWorkerAreSharedWithTheOtherOnceItHasDoneItsShortOnes() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            WorkerPool pool = busy.pool("busy");
            settleTypicalTime(busy, 1);
            // sent at once, they alternate between the two workers: one gets the long ones
            List<CompletableFuture<Long>> longOnes = new ArrayList<>();
            List<CompletableFuture<Long>> shortOnes = new ArrayList<>();
            sendAlternately(busy, 10, 150, longOnes, shortOnes);

            assertThat(jobsByWorker(longOnes)).hasSize(2); // one only without rebalancing: checked
            assertThat(jobsByWorker(shortOnes).values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
            assertThat(pool.snapshot().messagesMoved()).isPositive();
            assertThat(pool.restartCount()).isZero();
            assertThat(pool.inFlight()).isZero();
        }
    }

    @Test
    void longSendsQueuedAtOneWorkerAreSharedWithTheOtherAsSoonAsItHasDoneItsShortOnes() throws Exception {
        // the periodic look comes each heartbeat interval: 20 s here, long after the queue has run out
        PoolSettings.Supervision slowHeartbeat = new PoolSettings.Supervision(Duration.ofSeconds(1), Duration.ofSeconds(30),
                10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ZERO);
        try (WorkerPools busy = twoWorkers((settings) -> settings.withSupervision(slowHeartbeat))) {
            WorkerPool pool = busy.pool("busy");
            settleTypicalTime(busy, 1);
            long handledBefore = handledByPool(pool);
            // sent at once, they alternate between the two workers: one gets the long ones
            for (int i = 0; i < 10; i++) {
                busy.send("busy", "sleep", 150);
                busy.send("busy", "sleep", 1);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(handledByPool(pool) - handledBefore).isEqualTo(20);
            // the worker done with its short ones took some of the long ones (none without the look it prompts: checked)
            assertThat(pool.snapshot().messagesMoved()).isPositive();
            assertThat(pool.restartCount()).isZero();
        }
    }

    @Test
    void theSnapshotNamesTheMessageEachWorkerIsOnAndHowLongItHasRunAndThePoolsTypicalTimePerMessage() throws Exception {
        try (WorkerPools busy = twoWorkers()) {
            WorkerPool pool = busy.pool("busy");
            assertThat(pool.snapshot().typicalMessageMillis()).as("before any message").isNull();
            long sent = System.nanoTime();
            CompletableFuture<Long> longOne = busy.request("busy", "sleep", 3000, Long.class);

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().workers().stream()
                .anyMatch((worker) -> worker.currentMillis() >= 500));
            PoolSnapshot during = pool.snapshot();
            long sinceSent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            PoolSnapshot.WorkerSnapshot sleeping = during.workers().stream()
                .filter((worker) -> worker.currentTopic() != null).findFirst().orElseThrow();
            PoolSnapshot.WorkerSnapshot other = during.workers().stream()
                .filter((worker) -> worker != sleeping).findFirst().orElseThrow();
            assertThat(sleeping.currentTopic()).isEqualTo("sleep");
            assertThat(sleeping.currentMillis()).isGreaterThanOrEqualTo(500)
                .isLessThanOrEqualTo(sinceSent); // its message's run, not the worker's uptime
            assertThat(other.currentTopic()).isNull();
            assertThat(other.currentMillis()).isZero();

            assertThat(longOne.get(10, TimeUnit.SECONDS)).isEqualTo(sleeping.pid());
            assertThat(pool.snapshot().workers()).allSatisfy((worker) -> {
                assertThat(worker.currentTopic()).isNull();
                assertThat(worker.currentMillis()).isZero();
            });
            // the pool's only message so far, from its send to the idle worker to its acknowledgement
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.snapshot().typicalMessageMillis() != null);
            assertThat(pool.snapshot().typicalMessageMillis()).isGreaterThanOrEqualTo(3000.0);
        }
    }

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
            // sent at once, they alternate between the two workers: one gets the long ones
            List<CompletableFuture<Long>> longOnes = new ArrayList<>();
            List<CompletableFuture<Long>> shortOnes = new ArrayList<>();
            sendAlternately(busy, 10, 400, longOnes, shortOnes);
            for (int i = 7; i < 10; i++) {
                assertThat(longOnes.get(i).cancel(false)).isTrue(); // the last three, far from started
            }

            jobsByWorker(longOnes.subList(0, 7));
            jobsByWorker(shortOnes);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.inFlight() == 0);
            assertThat(handledByPool(pool) - handledBefore).as("requests run by either worker").isEqualTo(17);
            assertThat(pool.snapshot().messagesMoved()).isPositive(); // the queue was shared all the same
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
            CompletableFuture<Long> running = busy.request("busy", "sleep", 600, Long.class);
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

    /** {@code count} requests of {@code longMillis} and as many of 1 ms, sent at once, one of each in turn. */
    private static void sendAlternately(WorkerPools busy, int count, long longMillis,
            List<CompletableFuture<Long>> longOnes, List<CompletableFuture<Long>> shortOnes) {
        for (int i = 0; i < count; i++) {
            longOnes.add(busy.request("busy", "sleep", longMillis, Long.class));
            shortOnes.add(busy.request("busy", "sleep", 1, Long.class));
        }
    }

    /** {@code count} requests of {@code millis} each, sent at once. */
    private static List<CompletableFuture<Long>> sleeps(WorkerPools busy, int count, long millis) {
        List<CompletableFuture<Long>> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(busy.request("busy", "sleep", millis, Long.class));
        }
        return jobs;
    }

    /** A pool of two {@link EchoWorker}s, started, for tests of routing. */
    private static WorkerPools twoWorkers() {
        return twoWorkers(UnaryOperator.identity());
    }

    private static WorkerPools twoWorkers(UnaryOperator<PoolSettings> settings, PoolListener... listeners) {
        return busyPool(2, settings, listeners);
    }

    /** A pool "busy" of {@link EchoWorker}s, started. */
    private static WorkerPools busyPool(int workers, UnaryOperator<PoolSettings> settings, PoolListener... listeners) {
        WorkerPools busy = new WorkerPools(List.of(settings.apply(PoolSettings.of("busy", workers, EchoWorker.class.getName()))),
                launcher(), MessageCodec.withDefaultMapper(), ListenerRegistry.forParent(), List.of(listeners));
        try {
            busy.start();
        }
        catch (RuntimeException ex) {
            busy.close(); // a worker that did start must not outlive the test
            throw ex;
        }
        return busy;
    }

    /** Requests and messages the pool's current workers have run. */
    private static long handledByPool(WorkerPool pool) {
        return pool.snapshot().workers().stream().mapToLong(PoolSnapshot.WorkerSnapshot::messagesHandled).sum();
    }

    /** How many of the {@code sleep} requests each worker ran, by its pid. */
    private static Map<Long, Integer> jobsByWorker(List<CompletableFuture<Long>> jobs) throws Exception {
        Map<Long, Integer> jobsByWorker = new HashMap<>();
        for (CompletableFuture<Long> job : jobs) {
            jobsByWorker.merge(job.get(10, TimeUnit.SECONDS), 1, Integer::sum);
        }
        return jobsByWorker;
    }

    /**
     * Forty requests one after another, each {@code millis} long, so that the pool's typical time per
     * message comes near that: its first sample, a fresh worker's first message, may be far longer.
     */
    private static void settleTypicalTime(WorkerPools busy, int millis) throws Exception {
        for (int i = 0; i < 40; i++) {
            busy.request("busy", "sleep", millis, Long.class).get(10, TimeUnit.SECONDS);
        }
    }

    /** A number that takes a while to serialize, as a payload type's first serialization can. */
    public static final class SlowToWrite {

        private final long value;

        SlowToWrite(long value) {
            this.value = value;
        }

        @JsonValue
        public long value() throws InterruptedException {
            Thread.sleep(200);
            return this.value;
        }
    }

    public static class OtherPoolsWorker {

        @IpcListener(value = "work", pool = "elsewhere")
        public void work() {
        }
    }

    public static class BrokenListenerWorker {

        @IpcListener("both")
        public void both(String one, String two) {
        }
    }

    @Test
    void unknownPoolFailsAtOnceNamingTheKnownPools() {
        assertThatExceptionOfType(UnknownPoolException.class).isThrownBy(() -> pools.send("ehco", "echo", null))
            .withMessageContaining("Unknown pool 'ehco'; known pools: [echo, late, patient]");
    }

    @Test
    void workerMessagesReachParentListenersInOrder() {
        steps.clear();
        pools.send("echo", "progress", 50);
        await().atMost(Duration.ofSeconds(10)).until(() -> steps.size() == 50);
        long pid = Long.parseLong(steps.get(0).split(":")[0]);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            expected.add(pid + ":" + i + "/50");
        }
        assertThat(steps).containsExactlyElementsOf(expected);
    }

    @Test
    void aParentListenersMessagesAndReturnValueGoBackToTheWorkerThatSentInOrder() throws Exception {
        long pid = pools.request("echo", "ask-parent", "why?", Long.class).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> heard.stream().filter((h) -> h.contains("why?")).count() == 2);
        assertThat(heard).filteredOn((h) -> h.contains("why?"))
            .containsExactly(pid + ":note:noted why?", pid + ":question:answer to why?");
        // the listener's message is counted as sent (ipc.messages.sent), as the pool's own sends are; its
        // return value is a reply, and replies are not, as a worker's replies are not counted as received
        assertThat(sent).contains("echo:ask-parent", "echo:note").doesNotContain("echo:question");
    }

    @Test
    void aWorkersHandleKeptByAParentListenerSendsToThatWorkerFromAnyThreadAndKillsIt() throws Exception {
        introduced.clear();
        pools.send("echo", "introduce", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> !introduced.isEmpty());
        long pid = introduced.keySet().iterator().next();
        ChildProcess handle = introduced.get(pid);
        assertThat(handle.getId()).isEqualTo(pid);
        assertThat(handle.isAlive()).isTrue();

        handle.sendMessage(Message.of("note", "from the test's thread")); // not the thread of the worker's listeners
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains(pid + ":note:from the test's thread"));
        // a topic the worker has no listener for is refused, as the pool's own sends refuse it
        assertThatExceptionOfType(NoListenerException.class)
            .isThrownBy(() -> handle.sendMessage(Message.of("not-for-workers", null)))
            .withMessageStartingWith("No listener for topic 'not-for-workers' in pool 'echo' (its workers listen to [");
        assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(handle::getNextMessage)
            .withMessage("Messages from pool workers go to @IpcListener methods");

        CompletableFuture<Integer> exit = handle.onExit();
        handle.kill();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isNotZero();
        assertThat(handle.isAlive()).isFalse();
        // once the pool has seen it go: a send in the moment before that is settled with the worker's
        // exit (a dead letter) when the exit takes it from the worker's queue before the write fails
        await().atMost(Duration.ofSeconds(10)).until(() -> !pools.pool("echo").workerPids().contains(pid));
        assertThatExceptionOfType(ProcessExitedException.class)
            .isThrownBy(() -> handle.sendMessage(Message.of("note", "too late")))
            .withMessageContaining("(pid " + pid + ") exited with code ")
            .withMessageContaining(" before message 'note' could be sent");
        await().atMost(Duration.ofSeconds(30)).until(() -> pools.pool("echo").usableWorkers().size() == 2);
        seenPids.addAll(pools.pool("echo").workerPids());
        assertThat(pools.pool("echo").workerPids()).doesNotContain(pid);
        assertThat(pools.request("echo", "echo", "alive", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("alive");
    }

    @Test
    void crashedWorkersFailTheirInFlightRequestsWithExitCodeAndAreReplaced() throws Exception {
        List<Long> before = pools.pool("echo").workerPids();
        // least-busy routing puts one request on each of the two idle workers: both die
        CompletableFuture<Object> first = pools.request("echo", "crash", 77, Object.class);
        CompletableFuture<Object> second = pools.request("echo", "crash", 77, Object.class);

        for (CompletableFuture<Object> request : List.of(first, second)) {
            assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> request.get(10, TimeUnit.SECONDS))
                .havingCause().isInstanceOf(ProcessExitedException.class)
                .withMessageContaining("exited with code 77 while request 'crash' was in flight");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> pools.pool("echo").usableWorkers().size() == 2);
        List<Long> after = pools.pool("echo").workerPids();
        seenPids.addAll(after);
        assertThat(after).doesNotContainAnyElementsOf(before);
        assertThat(pools.pool("echo").restartCount()).isGreaterThanOrEqualTo(2);
        assertThat(pools.request("echo", "echo", "alive", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("alive");
    }

    @Test
    void broadcastReachesEveryWorker() {
        assertThat(pools.broadcast("echo", "pid", null)).isEqualTo(2);
    }

    @Test
    void aReplyRequestedAsMessageComesUndecoded() throws Exception {
        Message reply = pools.request("echo", "echo", Map.of("a", 1), Message.class)
            .get(10, TimeUnit.SECONDS);
        assertThat(reply.topic()).isEqualTo("echo");
        assertThat(reply.payload()).isEqualTo(Map.of("a", 1));
    }

    @Test
    void aReceivedMessageGivenAsPayloadIsPassedOnWithItsPayload() throws Exception {
        Message reply = pools.request("echo", "double", new EchoWorker.Job("x", 21), Message.class)
            .get(10, TimeUnit.SECONDS);
        // as a payload, a message stands for its payload: forwarded to another topic, and on again
        Message forwarded = pools.request("echo", "echo", reply, Message.class).get(10, TimeUnit.SECONDS);
        assertThat(forwarded.payloadAs(EchoWorker.Job.class)).isEqualTo(new EchoWorker.Job("x", 42));
        assertThat(pools.request("echo", "double", forwarded, EchoWorker.Job.class).get(10, TimeUnit.SECONDS))
            .isEqualTo(new EchoWorker.Job("x", 84));
        assertThat(pools.broadcast("echo", "pid", forwarded)).isEqualTo(2);
    }
}
