package io.ipcworkers;

import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The examples and behaviour of the seed library (shared/seed/ipc.md and its process manager),
 * with real child JVMs.
 */
class SeedParityTest {

    private static final CollectingOutput output = new CollectingOutput();

    private static ProcessManager pm;

    private static final List<Long> started = new CopyOnWriteArrayList<>();

    /**
     * How a start that a closing manager cut short fails: never as a child that failed by itself ("exited
     * with code 2 before it could be given its task"), but naming the close.
     */
    private static final String CLOSE_NAMED = "This ProcessManager has been closed"
            + "|This ProcessManager was closed while child \\d+ was starting; the child was stopped"
            + "|Child \\d+ could not connect: the worker socket was closed: its manager or pool is shutting down";

    @BeforeAll
    static void startManager() {
        pm = ProcessManager.builder().output(output).build();
        pm.onProcessCreate((child) -> started.add(child.getId()));
    }

    @AfterAll
    static void closeManager() {
        pm.close();
        Processes.assertAllGone(started, Duration.ofSeconds(5));
    }

    @Test
    void helloParentHelloChild() {
        MessageFactory factory = new MessageFactory();
        ChildProcess child = pm.runProcess((self, parent) -> {
            Message fromParent = parent.getNextMessage();
            parent.sendMessage(factory.create("hello parent",
                    Map.of("pid", self.getId(), "parentPid", parent.getId(), "lastMessage", fromParent.topic())));
        });
        child.sendMessage(factory.create("hello child", null));
        Message reply = child.getNextMessage(Duration.ofSeconds(20));

        assertThat(reply.topic()).isEqualTo("hello parent");
        Map<?, ?> payload = reply.payloadAs(Map.class);
        assertThat(payload.get("lastMessage")).isEqualTo("hello child");
        assertThat(((Number) payload.get("pid")).longValue()).isEqualTo(child.getId());
        assertThat(((Number) payload.get("parentPid")).longValue()).isEqualTo(ProcessHandle.current().pid());
        assertThat(child.onExit().join()).isZero();
    }

    @Test
    void aChildWaitingForItsParentWithATimeoutIsToldWhenItPassesAndMayWaitAgain() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            try {
                parent.getNextMessage(Duration.ofMillis(200));
                parent.sendMessage(Message.of("not timed out", null));
            }
            catch (IpcTimeoutException ex) {
                parent.sendMessage(Message.of("timed out", ex.getMessage()));
            }
            parent.sendMessage(Message.of("then", parent.getNextMessage(Duration.ofSeconds(30)).topic()));
        });

        Message first = child.getNextMessage(Duration.ofSeconds(20));
        assertThat(first.topic()).isEqualTo("timed out");
        assertThat(first.payloadAs(String.class)).isEqualTo("No message from the parent within PT0.2S");
        child.sendMessage(Message.of("go", null));
        assertThat(child.getNextMessage(Duration.ofSeconds(20)).payloadAs(String.class)).isEqualTo("go");
        assertThat(child.onExit().join()).isZero();
    }

    @Test
    void aParentThatWaitsWithATimeoutWhileAnotherThreadReadsTheChildWaitsNoLongerThanItsTimeout() throws Exception {
        ChildProcess child = pm.runProcess((self, parent) -> parent.getNextMessage()); // silent until told
        CompletableFuture<Throwable> other = OwnThread.supply(() -> catchThrowable(
                () -> child.getNextMessage(Duration.ofMillis(2_500))));
        sleep(300); // the other thread reads first
        long started = System.nanoTime();

        assertThatExceptionOfType(IpcTimeoutException.class).isThrownBy(() -> child.getNextMessage(Duration.ofSeconds(3)))
            .withMessage("No message from child " + child.getId() + " within PT3S");

        // it waited ~2.2 s for the other reader, and used to read for its whole 3 s after that
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(3), Duration.ofMillis(4_500));
        assertThat(other.get(10, TimeUnit.SECONDS)).isInstanceOf(IpcTimeoutException.class);
        child.sendMessage(Message.of("done", null));
        assertThat(child.onExit().join()).isZero();
    }

    @Test
    void aManagerIsRefusedSettingsItCouldNotWorkWithAtOnceAndSaysWhich() {
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessManager.builder().startTimeout(Duration.ZERO))
            .withMessage("startTimeout must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessManager.builder().startTimeout(Duration.ofSeconds(-1)))
            .withMessage("startTimeout must be positive, was PT-1S");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> ProcessManager.builder().stopGracePeriod(Duration.ofMillis(-1)))
            .withMessage("stopGracePeriod must not be negative (zero kills at once), was PT-0.001S");
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessManager.builder().maxFrameLength(100).build())
            .withMessage("maxFrameLength must be at least 1024 bytes, was 100");
        try (ProcessManager killsAtOnce = ProcessManager.builder().stopGracePeriod(Duration.ZERO).build()) {
            assertThat(killsAtOnce.getRunningProcesses()).isEmpty();
        }
    }

    @Test
    void aManagerWhoseShutdownHookHasRunStartsNoMoreChildren() throws Exception {
        try (ProcessManager exiting = ProcessManager.builder().output(output).startTimeout(Duration.ofSeconds(5)).build()) {
            ChildProcess waiting = exiting.runProcess((self, parent) -> parent.getNextMessage());
            Process process = ((ConnectedChildProcess) waiting).launched().process();

            exiting.shutdownHook().run(); // what the JVM runs as it exits

            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // a child started now would be one the hook did not stop: refused, as after close()
            assertThatIllegalStateException().isThrownBy(() -> exiting.runProcess((self, parent) -> { }))
                .withMessage("This ProcessManager has been closed");
        }
    }

    @Test
    void normalReturnExitsZeroAndExceptionExitsOneWithItsMessageOnStderr() {
        ChildProcess ok = pm.runProcess((self, parent) -> { });
        ChildProcess failing = pm.runProcess((self, parent) -> {
            throw new IllegalStateException("disk on fire");
        });

        assertThat(ok.onExit().join()).isZero();
        assertThat(failing.onExit().join()).isEqualTo(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> output.lines.stream()
            .anyMatch((line) -> line.startsWith("STDERR [child " + failing.getId() + "]")
                    && line.contains("IllegalStateException: disk on fire")));
    }

    @Test
    void awaitAllCallsBackForEveryChildAndStopsWhenTheCallbackSaysSo() {
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            ChildProcess fast = own.runProcess((self, parent) -> { });
            ChildProcess slow = own.runProcess((self, parent) -> parent.getNextMessage());
            started.addAll(List.of(fast.getId(), slow.getId()));
            List<Long> reported = new ArrayList<>();

            own.awaitAll((exitCode, pid) -> {
                reported.add(pid);
                return false;
            });

            assertThat(reported).containsExactly(fast.getId());
            assertThat(slow.isAlive()).isTrue();
            slow.sendMessage(Message.of("go", null));
            own.awaitAll((exitCode, pid) -> reported.add(pid));
            assertThat(reported).containsExactly(fast.getId(), slow.getId());
            assertThat(own.getRunningProcesses()).isEmpty();
        }
    }

    @Test
    void awaitAllReportsChildrenThatExitedBeforeItWasCalled() throws Exception {
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            ChildProcess child = own.runProcess((self, parent) -> System.exit(7));
            started.add(child.getId());
            child.onExit().join();
            List<String> reported = new ArrayList<>();

            own.awaitAll((exitCode, pid) -> reported.add(pid + ":" + exitCode));

            assertThat(reported).containsExactly(child.getId() + ":7");
        }
    }

    @Test
    void anExitWaitingToBeReportedDoesNotKeepItsChildInMemory() throws Exception {
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            ChildProcess child = own.runProcess((self, parent) -> System.exit(3));
            long pid = child.getId();
            started.add(pid);
            child.onExit().join();
            await().atMost(Duration.ofSeconds(10)).until(() -> own.getRunningProcesses().isEmpty());
            WeakReference<ChildProcess> exited = new WeakReference<>(child);
            child = null; // a long-lived manager may see many exits before anyone waits: each child holds buffers

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                System.gc();
                return exited.get() == null;
            });
            List<String> reported = new ArrayList<>();
            own.awaitAll((exitCode, exitedPid) -> reported.add(exitedPid + ":" + exitCode));

            assertThat(reported).containsExactly(pid + ":3");
        }
    }

    @Test
    void aFinishedChildsHandleKeepsNoNativeBuffersAndStillGivesWhatItSent() throws InterruptedException {
        int children = 16; // each connection held ~80 KiB of native memory for as long as its handle lived
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            long before = DirectMemory.settled();
            List<ChildProcess> kept = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                ChildProcess child = own.runProcess((self, parent) -> parent.sendMessage(Message.of("bye", self.getId())));
                started.add(child.getId());
                kept.add(child);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> own.getRunningProcesses().isEmpty());

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                System.gc();
                assertThat(DirectMemory.used() - before).isLessThan(children * 16 * 1024L);
            });
            assertThat(kept).allSatisfy((child) -> {
                assertThat(child.getNextMessage().payloadAs(Long.class)).isEqualTo(child.getId());
                assertThatExceptionOfType(ProcessExitedException.class).isThrownBy(child::getNextMessage);
                assertThatExceptionOfType(ProcessExitedException.class)
                    .isThrownBy(() -> child.sendMessage(Message.of("late", null)));
            });
        }
    }

    @Test
    void messagesSentJustBeforeATaskCallsSystemExitAllReachTheParent() {
        int messages = 20_000; // most of them are batched: the last batch is pending when the task exits
        ChildProcess child = pm.runProcess((self, parent) -> {
            for (int i = 0; i < messages; i++) {
                parent.sendMessage(Message.of("n", i));
            }
            System.exit(7);
        });

        for (int i = 0; i < messages; i++) {
            assertThat(child.getNextMessage(Duration.ofSeconds(20)).payloadAs(Integer.class)).isEqualTo(i);
        }
        assertThatExceptionOfType(ProcessExitedException.class).isThrownBy(child::getNextMessage)
            .withMessageContaining("exited with code 7");
    }

    @Test
    void aChildStartingWhileItsManagerClosesIsStoppedAndItsCallerToldWhy() throws Exception {
        ProcessManager own = ProcessManager.builder().output(output).build();
        // touching a 1 GiB heap first keeps the child from connecting for half a second or more
        CompletableFuture<ChildProcess> starting = OwnThread.supply(() -> own.runProcess((self, parent) -> {
        }, List.of("-Xms1g", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC")));
        sleep(150);

        own.close();

        Throwable failure = catchThrowable(() -> starting.get(20, TimeUnit.SECONDS)).getCause();
        assertThat(failure).isInstanceOf(IpcException.class)
            .hasMessageMatching("Child \\d+ could not connect: the worker socket was closed: its manager or pool is "
                    + "shutting down");
        long pid = Long.parseLong(failure.getMessage().split(" ")[1]);
        started.add(pid);
        Processes.assertAllGone(List.of(pid), Duration.ofSeconds(10));
    }

    /** The close comes before the start, while the child starts or connects, or once it runs. */
    @ParameterizedTest
    @ValueSource(ints = { 0, 20, 50, 80, 120, 160, 220, 300, 500 })
    void aManagerClosedWhileItStartsAChildLeavesNoProcessBehind(int closeAfterMillis) throws Exception {
        Set<Long> before = aliveDescendants();
        ProcessManager own = ProcessManager.builder().output(output).build();
        CompletableFuture<ChildProcess> starting = OwnThread.supply(() -> own.runProcess((self, parent) -> {
            parent.getNextMessage(); // until it is stopped
        }));
        sleep(closeAfterMillis);

        own.close();

        try {
            starting.get(20, TimeUnit.SECONDS); // started before the close, which stopped it
        }
        catch (ExecutionException ex) {
            assertThat(ex.getCause().getMessage()).matches(CLOSE_NAMED);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> before.containsAll(aliveDescendants()));
    }

    /** A caller keeps a queue of two full (each child sleeps 300 ms) when the queue, and its manager, close. */
    @ParameterizedTest
    @ValueSource(ints = { 0, 100, 300, 600 })
    void aQueueClosedWhileACallerFillsItStopsItsChildrenAndTellsTheCallerWhy(int closeAfterMillis) throws Exception {
        Set<Long> before = aliveDescendants();
        ProcessQueue queue = new ProcessQueue(2);
        CompletableFuture<Void> filling = OwnThread.run(() -> {
            while (true) {
                queue.addToQueue((self, parent) -> Thread.sleep(300));
            }
        });
        sleep(closeAfterMillis);

        queue.close();

        Throwable failure = catchThrowable(() -> filling.get(20, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure.getCause().getMessage()).matches(CLOSE_NAMED);
        await().atMost(Duration.ofSeconds(20)).until(() -> before.containsAll(aliveDescendants()));
    }

    private static Set<Long> aliveDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
            .collect(Collectors.toSet());
    }

    @Test
    void aChildThatDoesNotConnectWithinTheStartTimeoutIsKilledAndItsCallerToldWhatToRaise() {
        try (ProcessManager own = ProcessManager.builder().output(output).startTimeout(Duration.ofMillis(100)).build()) {
            // touching a 1 GiB heap first keeps the child from connecting for half a second or more
            Throwable failure = catchThrowable(() -> own.runProcess((self, parent) -> {
            }, List.of("-Xms1g", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC")));

            assertThat(failure).isInstanceOf(IpcTimeoutException.class).hasMessageMatching("Child \\d+ did not "
                    + "connect within PT0.1S \\(raise the start timeout for slow-starting workers\\)");
            long pid = Long.parseLong(failure.getMessage().split(" ")[1]);
            started.add(pid);
            Processes.assertAllGone(List.of(pid), Duration.ofSeconds(10));
            assertThat(own.getRunningProcesses()).isEmpty();
        }
    }

    @Test
    void hooksRunInRegistrationOrderAndTheAwaitCallbackBeforeTheExitHooks() {
        List<String> events = new CopyOnWriteArrayList<>();
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            own.onProcessCreate((child) -> events.add("create-1"));
            own.onProcessCreate((child) -> events.add("create-2"));
            own.onProcessExit((exitCode, pid) -> events.add("exit-1:" + exitCode));
            own.onProcessExit((exitCode, pid) -> events.add("exit-2:" + exitCode));
            ChildProcess child = own.runProcess((self, parent) -> parent.getNextMessage());
            started.add(child.getId());
            assertThat(events).containsExactly("create-1", "create-2");

            Thread release = new Thread(() -> {
                sleep(300);
                child.sendMessage(Message.of("go", null));
            });
            release.start();
            own.awaitAll((exitCode, pid) -> events.add("await:" + exitCode));

            assertThat(events).containsExactly("create-1", "create-2", "await:0", "exit-1:0", "exit-2:0");
        }
    }

    @Test
    void aCreateHookThatThrowsIsLoggedTheOthersRunAndTheCallerStillGetsItsChild() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (ProcessManager own = ProcessManager.builder().output(output).build();
                CapturedLog log = new CapturedLog(ProcessManager.class)) {
            own.onProcessCreate((child) -> {
                throw new IllegalStateException("a broken hook");
            });
            own.onProcessCreate((child) -> events.add("create-2:" + child.getId()));
            ProcessQueue queue = new ProcessQueue(1, own);

            ChildProcess child = queue.addToQueue((self, parent) -> parent.getNextMessage());
            started.add(child.getId());

            assertThat(events).containsExactly("create-2:" + child.getId());
            assertThat(log.messages()).singleElement().asString()
                .contains("onProcessCreate hook failed for child " + child.getId());
            // the queue still counts the child: its slot was not given back while the child runs
            assertThat(queue.getRunningCount()).isOne();
            CompletableFuture<ChildProcess> next = OwnThread.supply(() -> queue.addToQueue((self, parent) -> { }));
            sleep(300);
            assertThat(next).isNotDone();
            child.sendMessage(Message.of("go", null));
            started.add(next.get(10, TimeUnit.SECONDS).getId());
            queue.awaitAll();
        }
    }

    @Test
    void exitHooksRunWithoutAnyoneAwaiting() {
        List<Long> exited = new CopyOnWriteArrayList<>();
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            own.onProcessExit((exitCode, pid) -> exited.add(pid));
            ChildProcess child = own.runProcess((self, parent) -> { });
            started.add(child.getId());
            await().atMost(Duration.ofSeconds(10)).until(() -> exited.contains(child.getId()));
        }
    }

    @Test
    void processQueueNeverRunsMoreThanItsLimit() {
        ProcessQueue queue = new ProcessQueue(2, pm);
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            children.add(queue.addToQueue((self, parent) -> {
                long start = System.currentTimeMillis();
                Thread.sleep(300);
                parent.sendMessage(Message.of("span", List.of(start, System.currentTimeMillis())));
            }));
            assertThat(queue.getRunningCount()).isLessThanOrEqualTo(2);
        }
        queue.awaitAll();

        assertThat(queue.getRunningCount()).isZero();
        List<long[]> spans = new ArrayList<>();
        for (ChildProcess child : children) {
            assertThat(child.onExit().join()).isZero();
            List<?> span = child.getNextMessage(Duration.ofSeconds(5)).payloadAs(List.class);
            spans.add(new long[] { ((Number) span.get(0)).longValue(), ((Number) span.get(1)).longValue() });
        }
        for (long[] span : spans) {
            long overlapping = spans.stream().filter((other) -> other[0] <= span[0] && span[0] < other[1]).count();
            assertThat(overlapping).as("children running when one started").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void aQueueClosesTheProcessManagerItMadeAndLeavesAGivenOneOpen() {
        ProcessManager made;
        try (ProcessQueue queue = new ProcessQueue(1)) {
            made = queue.getProcessManager();
            ChildProcess child = queue.addToQueue((self, parent) -> { });
            started.add(child.getId());
            queue.awaitAll();
        }
        assertThatIllegalStateException().isThrownBy(() -> made.runProcess((self, parent) -> { }))
            .withMessageContaining("closed");

        new ProcessQueue(1, pm).close();
        ChildProcess child = pm.runProcess((self, parent) -> { });
        assertThat(child.onExit().join()).isZero();
    }

    @Test
    void aQueueWithNoRoomIsRefusedBeforeItOpensAManager() {
        Set<Thread> acceptingBefore = WorkerSockets.acceptingThreads();

        assertThatIllegalArgumentException().isThrownBy(() -> new ProcessQueue(0))
            .withMessage("maxProcesses must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new ProcessQueue(-1, pm))
            .withMessage("maxProcesses must be at least 1, was -1");
        assertThat(acceptingBefore).containsAll(WorkerSockets.acceptingThreads()); // others' may have ended meanwhile
    }

    @Test
    void aClosedManagerLeavesNoThreadBehind() throws Exception {
        List<Thread> hookThreads = new CopyOnWriteArrayList<>();
        try (ProcessManager own = ProcessManager.builder().output(output).build()) {
            own.onProcessExit((exitCode, pid) -> hookThreads.add(Thread.currentThread()));
            ChildProcess child = own.runProcess((self, parent) -> { });
            started.add(child.getId());
            await().atMost(Duration.ofSeconds(10)).until(() -> hookThreads.size() == 1);
        }
        Thread notifier = hookThreads.get(0);
        assertThat(notifier.getName()).isEqualTo("ipc-exit-notifier");
        await().atMost(Duration.ofSeconds(10)).until(() -> !notifier.isAlive());
    }

    @Test
    void aWorkerSocketThatCannotBeBoundSaysWhereAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path deep = Files.createDirectories(dir.resolve("d".repeat(120))); // too long a path for a Unix socket
        List<String> jvmArgs = List.of("-Djava.io.tmpdir=" + deep);
        try (ProcessManager own = ProcessManager.builder().output(output).jvmArgs(jvmArgs).build()) {
            ChildProcess child = own.runProcess((self, parent) -> { // the child makes a manager of its own there
                try (ProcessManager nested = new ProcessManager()) {
                    parent.sendMessage(Message.of("opened", null));
                }
                catch (IpcException ex) {
                    parent.sendMessage(Message.of("refused", ex.getMessage()));
                }
                try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                    parent.sendMessage(Message.of("left", left.map(Path::toString).toList()));
                }
            });
            started.add(child.getId());

            Message refused = child.getNextMessage(Duration.ofSeconds(20));
            assertThat(refused.topic()).isEqualTo("refused");
            assertThat(refused.payloadAs(String.class)).startsWith("Cannot open the worker socket: cannot bind " + deep
                    + "/ipcw-").contains(" characters, in java.io.tmpdir): ");
            assertThat(child.getNextMessage(Duration.ofSeconds(20)).payload()).isEqualTo(List.of());
            assertThat(child.onExit().join()).isZero();
        }
    }

    @Test
    void aWorkerSocketWhoseDirectoryCannotBeCreatedSaysWhereAndWhatItNeeds(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing"); // as a read-only root file system leaves /tmp, say
        List<String> jvmArgs = List.of("-Djava.io.tmpdir=" + missing);
        try (ProcessManager own = ProcessManager.builder().output(output).jvmArgs(jvmArgs).build()) {
            ChildProcess child = own.runProcess((self, parent) -> {
                try (ProcessManager nested = new ProcessManager()) {
                    parent.sendMessage(Message.of("opened", null));
                }
                catch (IpcException ex) {
                    parent.sendMessage(Message.of("refused", ex.getMessage()));
                }
            });
            started.add(child.getId());

            Message refused = child.getNextMessage(Duration.ofSeconds(20));
            assertThat(refused.topic()).isEqualTo("refused");
            assertThat(refused.payloadAs(String.class)).startsWith("Cannot open the worker socket: cannot create its "
                    + "directory in java.io.tmpdir (" + missing + "; it must be a directory this user can write to): "
                    + "NoSuchFileException: " + missing + "/ipcw-" + child.getId() + "-");
            assertThat(child.onExit().join()).isZero();
        }
    }

    @Test
    void mainProcessIsThisJvm() {
        assertThat(pm.getMainProcess().getId()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void childOutputIsForwardedLineByLineWithThePid() {
        ChildProcess child = pm.runProcess((self, parent) -> System.out.println("hello from the child"));
        child.onExit().join();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
            .until(() -> output.contains("STDOUT [child " + child.getId() + "] hello from the child"));
    }

    @Test
    void childrenGetTheManagersEnvironmentOffTheirCommandLine() {
        try (ProcessManager own = ProcessManager.builder().output(output)
            .environment(Map.of("IPC_TEST_TOKEN", "s3cret-token", "TZ", "Asia/Tokyo"))
            .build()) {
            ChildProcess child = own.runProcess((self, parent) -> {
                parent.sendMessage(Message.of("env", Map.of("token", String.valueOf(System.getenv("IPC_TEST_TOKEN")),
                        "zone", java.util.TimeZone.getDefault().getID())));
                parent.getNextMessage(); // alive while the parent reads its command line
            });

            assertThat(child.getNextMessage(Duration.ofSeconds(10)).payload())
                .isEqualTo(Map.of("token", "s3cret-token", "zone", "Asia/Tokyo"));
            String commandLine = ProcessHandle.of(child.getId()).flatMap((handle) -> handle.info().arguments())
                .map((arguments) -> String.join(" ", arguments)).orElseThrow();
            assertThat(commandLine).contains("io.ipcworkers.launch.WorkerMain").doesNotContain("s3cret-token");
            child.sendMessage(Message.of("bye", null));
            assertThat(child.onExit().join()).isZero();
        }
        assertThatIllegalArgumentException().isThrownBy(() -> ProcessManager.builder().environment(Map.of("A=B", "c")))
            .withMessage("Invalid environment variable 'A=B': a name must not be empty nor hold '=' or NUL, a value "
                    + "must not hold NUL");
    }

    @Test
    void childOutputArrivesWhateverTheChildsPlatformEncoding() {
        // what a JVM without a locale takes for its standard streams (LANG unset: ASCII)
        List<String> asciiConsole = List.of("-Dsun.stdout.encoding=US-ASCII", "-Dsun.stderr.encoding=US-ASCII",
                "-Dstdout.encoding=US-ASCII", "-Dstderr.encoding=US-ASCII");
        try (ProcessManager own = ProcessManager.builder().output(output).jvmArgs(asciiConsole).build()) {
            ChildProcess child = own.runProcess((self, parent) -> {
                System.out.println("Grüße, Zoë ✓");
                System.err.println("Ошибка ✗");
            });
            child.onExit().join();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> output.contains("STDOUT [child " + child.getId() + "] Grüße, Zoë ✓")
                        && output.contains("STDERR [child " + child.getId() + "] Ошибка ✗"));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void messagesSentBeforeTheChildExitedAreStillReadAfterwardsThenTheExitIsReported() throws Exception {
        ChildProcess child = pm.runProcess((self, parent) -> {
            for (int i = 0; i < 100; i++) {
                parent.sendMessage(Message.of("n", i));
            }
        });
        assertThat(child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        for (int i = 0; i < 100; i++) {
            assertThat(child.getNextMessage(Duration.ofSeconds(5)).payloadAs(Integer.class)).isEqualTo(i);
        }
        org.assertj.core.api.Assertions.assertThatExceptionOfType(ProcessExitedException.class)
            .isThrownBy(child::getNextMessage)
            .satisfies((ex) -> assertThat(ex.getExitCode()).isZero());
    }

    @Test
    void aChildThatSendsMoreThanTheSocketHoldsWaitsForThePaceOfTheReaderAndLosesNothing() throws Exception {
        ChildProcess child = pm.runProcess((self, parent) -> {
            for (int i = 0; i < 50_000; i++) {
                parent.sendMessage(Message.of("n", Map.of("i", i, "padding", "x".repeat(40))));
            }
        });
        Thread.sleep(500); // the child fills the socket and waits: nothing is read yet
        assertThat(child.isAlive()).isTrue();
        for (int i = 0; i < 50_000; i++) {
            assertThat(child.getNextMessage(Duration.ofSeconds(10)).payloadAs(Map.class).get("i")).isEqualTo(i);
        }
        assertThat(child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aFinishedChildLeavesNoOpenDescriptorBehind() throws Exception {
        java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(fds));
        pm.runProcess((self, parent) -> parent.sendMessage(Message.of("warm-up", null))).onExit().get(30,
                java.util.concurrent.TimeUnit.SECONDS);
        long before = countEntries(fds);
        for (int i = 0; i < 5; i++) {
            // never read: the manager must still let go of the connection once the child is gone
            pm.runProcess((self, parent) -> parent.sendMessage(Message.of("unread", null))).onExit().get(30,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(countEntries(fds)).isLessThanOrEqualTo(before + 2));
    }

    private static long countEntries(java.nio.file.Path directory) throws java.io.IOException {
        try (var entries = java.nio.file.Files.list(directory)) {
            return entries.count();
        }
    }
}
