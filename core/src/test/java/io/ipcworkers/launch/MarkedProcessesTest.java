package io.ipcworkers.launch;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.ipcworkers.Processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MarkedProcessesTest {

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWhatWasStarted() {
        this.started.forEach(Process::destroyForcibly);
    }

    @Test
    void findsTheProcessesThatCarryEachMarkAndNoOthers() throws Exception {
        ProcessTreeMark first = ProcessTreeMark.random();
        ProcessTreeMark second = ProcessTreeMark.random();
        Process firsts = sleepMarked(first);
        Process alsoFirsts = sleepMarked(first);
        Process seconds = sleepMarked(second);
        sleepMarked(ProcessTreeMark.random());
        startSleep(new ProcessBuilder("sleep", "300"));

        Map<ProcessTreeMark, List<ProcessHandle>> found = MarkedProcesses.find(List.of(first, second));

        assertThat(found).containsOnlyKeys(first, second);
        assertThat(found.get(first)).extracting(ProcessHandle::pid)
            .containsExactlyInAnyOrder(firsts.pid(), alsoFirsts.pid());
        assertThat(found.get(second)).extracting(ProcessHandle::pid).containsExactly(seconds.pid());
        assertThat(MarkedProcesses.find(List.of(ProcessTreeMark.random()))).isEmpty();
    }

    @Test
    void anotherUsersProcessesAreNotLookedAtEvenByRoot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && "root".equals(System.getProperty("user.name")),
                "needs root and setpriv to start a process of another user");
        ProcessTreeMark mark = ProcessTreeMark.random();
        Process ours = sleepMarked(mark);
        ProcessBuilder nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "sleep", "300");
        nobody.environment().put(mark.variable(), "1");
        Process theirs = startSleep(nobody);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(Path.of("/proc", Long.toString(theirs.pid()), "stat"))
            .contains("(sleep)")); // setpriv has switched users and run the sleep

        assertThat(MarkedProcesses.find(List.of(mark)).get(mark)).extracting(ProcessHandle::pid).containsExactly(ours.pid());
    }

    @Test
    void aGracefulStopEndsThoseThatIgnoreSigtermWithSigkill() throws Exception {
        ProcessTreeMark mark = ProcessTreeMark.random();
        ProcessBuilder stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; read line");
        stubborn.environment().put(mark.variable(), "1");
        Process ignoring = startSleep(stubborn);
        assertThat(new BufferedReader(new InputStreamReader(ignoring.getInputStream(), StandardCharsets.US_ASCII))
            .readLine()).isEqualTo("ready"); // SIGTERM ignored from here on
        Process obeying = sleepMarked(mark);
        List<ProcessHandle> found = MarkedProcesses.find(List.of(mark)).get(mark);
        assertThat(found).hasSize(2);

        GracefulStop.stop(found, 200);

        Processes.assertAllGone(List.of(ignoring.pid(), obeying.pid()), Duration.ofSeconds(5));
        assertThat(obeying.waitFor()).as("SIGTERM").isEqualTo(143);
        assertThat(ignoring.waitFor()).as("SIGKILL").isEqualTo(137);
    }

    @Test
    void onlyProcessEntriesOfTheProcessTableAreTakenForPids() {
        assertThat(MarkedProcesses.pidOf("1234")).isEqualTo(1234);
        assertThat(MarkedProcesses.pidOf("self")).isEqualTo(-1);
        assertThat(MarkedProcesses.pidOf("12a")).isEqualTo(-1);
        assertThat(MarkedProcesses.pidOf("")).isEqualTo(-1);
        assertThat(MarkedProcesses.pidOf("1".repeat(19))).isEqualTo(-1);
    }

    private Process sleepMarked(ProcessTreeMark mark) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sleep", "300");
        builder.environment().put(mark.variable(), "1");
        return startSleep(builder);
    }

    private Process startSleep(ProcessBuilder builder) throws Exception {
        Process process = builder.start();
        this.started.add(process);
        return process;
    }
}
