package io.ipcworkers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** No child outlives its parent, whether the parent exits normally or is killed with SIGKILL. */
class NoOrphansTest {

    private final List<Long> started = new ArrayList<>();

    @Test
    void childrenExitWithinTwoSecondsOfTheirParentBeingKilled() throws Exception {
        Process parent = startParent("sleep");
        List<Long> children = readChildPids(parent);
        assertThat(children).hasSize(2).allMatch(Processes::isAlive);

        parent.destroyForcibly().waitFor();

        Processes.assertAllGone(children, Duration.ofSeconds(2));
    }

    @Test
    void socketDirectoryOfAKilledParentIsRemovedByTheNextParent() throws Exception {
        Process parent = startParent("sleep");
        List<Long> children = readChildPids(parent);
        parent.destroyForcibly().waitFor();
        Processes.assertAllGone(children, Duration.ofSeconds(2));
        assertThat(socketDirectoriesOf(parent.pid())).as("left behind by SIGKILL").hasSize(1);

        try (ProcessManager next = ProcessManager.builder().build()) {
            assertThat(socketDirectoriesOf(parent.pid())).isEmpty();
        }
    }

    @Test
    void whatAChildStartedEndsWithItWhenItsParentIsKilled() throws Exception {
        Process parent = startParent("spawning");
        List<Long> pids = readChildPids(parent); // the child, and the shell it started
        noteStarted(pids.get(0));
        noteShellAndItsSleep(pids.get(1));

        parent.destroyForcibly().waitFor();

        Processes.assertAllGone(this.started, Duration.ofSeconds(3));
    }

    @Test
    void aKilledChildTakesTheProcessesItStartedWithIt() throws Exception {
        try (ProcessManager manager = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = manager.runProcess((self, parent) -> {
                startShell(parent);
                Thread.sleep(Long.MAX_VALUE);
            });
            noteShellAndItsSleep(child);

            child.kill();

            Processes.assertAllGone(this.started, Duration.ofSeconds(5)); // not waited for by the dead child: may be zombies
        }
    }

    @Test
    void aChildThatCrashesTakesTheProcessesItStartedWithIt() throws Exception {
        try (ProcessManager manager = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = manager.runProcess((self, parent) -> {
                startShell(parent);
                parent.getNextMessage(); // the test has seen the shell's sleep
                Runtime.getRuntime().halt(70); // no shutdown hook runs, as with an out-of-memory exit
            });
            noteShellAndItsSleep(child);

            child.sendMessage(Message.of("halt", null));

            assertThat(child.onExit().get(30, TimeUnit.SECONDS)).isEqualTo(70);
            Processes.assertAllGone(this.started, Duration.ofSeconds(5)); // orphans now: found by the child's mark
        }
    }

    @Test
    void aKilledChildTakesWithItEvenTheProcessesThatLeftItsProcessTree() throws Exception {
        try (ProcessManager manager = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = manager.runProcess((self, parent) -> {
                // the shell exits at once: its sleep, a daemon of sorts, belongs to init from then on
                Process shell = new ProcessBuilder("sh", "-c", "sleep 300 > /dev/null 2>&1 & echo $!").start();
                long sleep = Long.parseLong(new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
                parent.sendMessage(Message.of("detached", sleep));
                Thread.sleep(Long.MAX_VALUE);
            });
            long sleep = noteStarted(child.getNextMessage(Duration.ofSeconds(30)).payloadAs(Long.class));
            assertThat(Processes.isAlive(sleep)).isTrue();
            assertThat(ProcessHandle.of(child.getId()).orElseThrow().descendants()).noneMatch((process) -> process.pid() == sleep);

            child.kill();

            Processes.assertAllGone(this.started, Duration.ofSeconds(5));
        }
    }

    @Test
    void closingTheManagerStopsWhatItsChildrenLeftRunningBeforeItReturns() throws Exception {
        try (ProcessManager manager = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = manager.runProcess((self, parent) -> {
                startShell(parent);
                Thread.sleep(Long.MAX_VALUE);
            });
            noteShellAndItsSleep(child);

            manager.close(); // SIGTERM: the child's JVM exits with 143 and leaves its shell and sleep to init

            assertThat(this.started).noneMatch(Processes::isAlive); // at once: an application may exit next
            assertThat(child.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(143);
        }
    }

    /** In a child: starts a shell that starts a sleep of its own ({@code sleep 300 & wait}), and sends its pid. */
    private static void startShell(ParentProcess parent) throws IOException {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
        parent.sendMessage(Message.of("spawned", shell.pid()));
    }

    /** Notes the shell the child started ({@link #startShell}) and, once it runs, the shell's sleep. */
    private void noteShellAndItsSleep(ChildProcess child) {
        noteShellAndItsSleep(child.getNextMessage(Duration.ofSeconds(30)).payloadAs(Long.class));
    }

    private void noteShellAndItsSleep(long shell) {
        noteStarted(shell);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(shell)
            .map((handle) -> handle.children().count() == 1).orElse(false));
        ProcessHandle.of(shell).orElseThrow().children().forEach((sleep) -> noteStarted(sleep.pid()));
        assertThat(this.started).hasSizeGreaterThanOrEqualTo(2).allMatch(Processes::isAlive);
    }

    /** A process the test checks is gone: killed after the test, should it fail. */
    private long noteStarted(long pid) {
        this.started.add(pid);
        return pid;
    }

    @AfterEach
    void killWhatTheTestStarted() {
        this.started.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }


    private static List<Path> socketDirectoriesOf(long pid) throws Exception {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter((file) -> file.getFileName().toString().startsWith("ipcw-" + pid + "-")).toList();
        }
    }

    @Test
    void childrenAreStoppedWhenTheParentExitsNormally() throws Exception {
        Process parent = startParent("exit");
        List<Long> children = readChildPids(parent);

        assertThat(parent.waitFor()).isZero();

        Processes.assertAllGone(children, Duration.ofSeconds(2));
    }

    private static Process startParent(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                OrphanParentMain.class.getName(), mode)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    }

    private static List<Long> readChildPids(Process parent) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("children ")) {
                return Arrays.stream(line.substring(9).split(" ")).map(Long::valueOf).toList();
            }
        }
        throw new AssertionError("the parent exited before printing its children");
    }
}
