package io.ipcworkers.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the repackaged executable jar with {@code java -jar}: the application's and the library's
 * classes are nested in BOOT-INF, so this only works if workers are started through Boot's launcher.
 */
class ExecutableJarIT {

    @Test
    void sampleRunsFromTheExecutableJarAndLeavesNoWorkerBehind() throws Exception {
        Path jar = Path.of(System.getProperty("sample.jar"));
        assertThat(jar).exists();
        String output = JavaRuns.run(Map.of(), "-Xmx128m", "-jar", jar.toString(), "--sample.limit=100000");

        assertThat(output).contains("9,592 primes below 100,000").contains("written by Spring worker pid");
        // a task class made by name in the child, through Boot's class loader
        assertThat(output).containsPattern("Checked by a one-off child JVM \\(pid \\d+, exit code 0\\) with a sieve: "
                + "9,592 primes in \\d+ ms, the same count");
        List<Long> workerPids = pidsIn(output);
        assertThat(workerPids).hasSizeGreaterThanOrEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> workerPids.stream()
            .noneMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertThat(Files.size(jar)).isPositive();
    }

    /** The pids the sample prints: "on worker JVMs [a, b]" and "written by Spring worker pid c". */
    private static List<Long> pidsIn(String output) {
        List<Long> pids = new ArrayList<>();
        Matcher plain = Pattern.compile("on worker JVMs \\[([\\d, ]+)]").matcher(output);
        assertThat(plain.find()).as(output).isTrue();
        for (String pid : plain.group(1).split(", ")) {
            pids.add(Long.valueOf(pid));
        }
        Matcher spring = Pattern.compile("written by Spring worker pid (\\d+)").matcher(output);
        assertThat(spring.find()).as(output).isTrue();
        pids.add(Long.valueOf(spring.group(1)));
        return pids;
    }
}
