package io.ipcworkers.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import io.ipcworkers.RemoteListenerException;
import io.ipcworkers.ThrowsUndeclared;
import io.ipcworkers.UnknownPoolException;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.codec.Celsius;
import io.ipcworkers.codec.Reading;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.core.type.TypeReference;

import static io.ipcworkers.pool.TestPools.launcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

/**
 * A pool's messages both ways, on pools of plain workers shared by the tests: requests, their replies
 * and timeouts, and the callers that read their own replies; sends and broadcasts; the parent's
 * listeners of what workers send, and listeners that fail on either side. Routing, rebalancing,
 * cancellation, observers and the checks at start have classes of their own.
 */
class WorkerPoolTest {

    static final List<String> steps = new CopyOnWriteArrayList<>();

    static WorkerPools pools;

    static final List<Long> seenPids = new CopyOnWriteArrayList<>();

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
    void aMessageForAnIdleWorkerIsWrittenAtOnceAndOneForAWorkerBusyWithEarlierOnesWaitsForABatch() throws Exception {
        WorkerPool patient = pools.pool("patient");
        await().atMost(Duration.ofSeconds(10)).until(() -> patient.inFlight() == 0); // idle after other tests
        Connection connection = patient.currentWorkers().get(0).launched().connection();
        long idle = connection.bytesWritten();
        CompletableFuture<Long> slept = patient.request("sleep", 1_000L, Long.class);
        assertThat(connection.bytesWritten()).as("written before the request returned").isGreaterThan(idle);
        // the connection idle for a millisecond, a send to the sleeping worker is batched nonetheless (and
        // the flusher writes it within 50 µs: tried until this thread looks before it does)
        boolean batched = false;
        while (!batched && !slept.isDone()) {
            Thread.sleep(1);
            long before = connection.bytesWritten();
            patient.send("progress", 0);
            batched = connection.bytesWritten() == before;
            if (batched) {
                await().atMost(Duration.ofSeconds(5)).until(() -> connection.bytesWritten() > before);
            }
        }
        assertThat(batched).as("a send left to a batch while the worker slept").isTrue();
        assertThat(slept.get(10, TimeUnit.SECONDS)).isPositive();
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
    void aPayloadWhoseSerializerThrowsAnUndeclaredCheckedExceptionFailsItsCallerAndLeavesTheWorkerAlone()
            throws Exception {
        WorkerPool patient = pools.pool("patient"); // one worker: taken for broken, it left the pool none to use
        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> patient.send("echo", new ThrowsUndeclared()))
            .withMessageEndingWith("its serializer threw java.io.IOException: disk full");
        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> patient.request("echo", new ThrowsUndeclared(), Object.class))
            .withMessageContaining("'echo'");
        assertThat(patient.inFlight()).isZero();
        assertThat(patient.request("echo", "still fine", Object.class).get(10, TimeUnit.SECONDS)).isEqualTo("still fine");
        assertThat(patient.restartCount()).isZero();
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
