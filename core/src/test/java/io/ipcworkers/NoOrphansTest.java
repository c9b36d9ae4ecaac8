package io.ipcworkers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** No child outlives its parent, whether the parent exits normally or is killed with SIGKILL. */
class NoOrphansTest {

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
