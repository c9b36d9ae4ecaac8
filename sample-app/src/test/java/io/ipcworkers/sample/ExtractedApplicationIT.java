package io.ipcworkers.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the sample extracted from its executable jar ({@code java -Djarmode=tools -jar … extract}),
 * where the class path is one of jars, with {@code ipc.class-data-sharing.directory} set: the first run's
 * workers write their pools' class data archives as they stop, and the second run's workers map them;
 * workers that inherit options sharing classes their own way are left to them. From JDK 25 on, the
 * Spring worker's pool ({@code reports}) shares an AOT cache and the plain one a dynamic archive.
 */
class ExtractedApplicationIT {

    private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;

    @TempDir
    Path temp;

    @Test
    void poolWorkersWriteTheirClassDataArchivesOnceAndStartFromThemAfterwards() throws Exception {
        Path archives = this.temp.resolve("archives");
        String[] sample = { "-Xmx128m", "-jar", extractedJar().toString(), "--sample.limit=100000",
            "--ipc.class-data-sharing.directory=" + archives, "--logging.level.io.ipcworkers.launch=debug" };

        // with -Xshare:on, a JVM that cannot map the archive it is given does not start; beside an AOT cache the
        // JVM takes no -Xshare option, so there the workers say what they mapped. The same in both runs: options
        // from the environment name the archives too
        Map<String, String> environment = Map.of("JAVA_TOOL_OPTIONS", AOT_CACHE ? "-Xlog:aot=info,cds=info" : "-Xshare:on");
        String first = JavaRuns.run(environment, sample);

        // the line saying an archive was kept may come after the application's logging has shut down
        assertThat(first).contains("9,592 primes below 100,000", "written by Spring worker pid");
        assertThat(archiveNames(archives)).as(first).hasSize(2)
            .anySatisfy((name) -> assertThat(name).matches("reports\\.[0-9a-f]{16}\\." + (AOT_CACHE ? "aot" : "jsa")))
            .anySatisfy((name) -> assertThat(name).matches("primes\\.[0-9a-f]{16}\\.jsa"));

        String second = JavaRuns.run(environment, sample);

        assertThat(second).contains("9,592 primes below 100,000", "written by Spring worker pid")
            .contains("Workers of 'reports' start from the " + (AOT_CACHE ? "AOT cache " : "class data archive ")
                    + archives.toAbsolutePath().resolve("reports."))
            .contains("Workers of 'primes' start from the class data archive")
            .doesNotContain("Wrote the class data archive", "Wrote the AOT cache");
        if (AOT_CACHE) {
            assertThat(second).containsPattern("\\[reports-1 [0-9]+\\] .*Using AOT-linked classes: true")
                .containsPattern("\\[primes-1 [0-9]+\\] .*Mapped dynamic region");
        }
        assertThat(archiveNames(archives)).as(second).hasSize(2);
    }

    @Test
    void workersWhoseInheritedOptionsShareClassesTheirOwnWayAreLeftToThem() throws Exception {
        Path archives = this.temp.resolve("archives");

        // the workers inherit the variable: beside -XX:ArchiveClassesAtExit their JVMs would not start
        String run = JavaRuns.run(Map.of("JAVA_TOOL_OPTIONS", "-Xshare:off"), "-Xmx128m", "-jar",
                extractedJar().toString(), "--sample.limit=100000", "--ipc.class-data-sharing.directory=" + archives,
                "--logging.level.io.ipcworkers.launch=info");

        assertThat(run).contains("9,592 primes below 100,000", "written by Spring worker pid")
            .contains("Class data sharing is left to the JVM options of the workers of 'reports': -Xshare:off (in "
                    + "JAVA_TOOL_OPTIONS)")
            .contains("Class data sharing is left to the JVM options of the workers of 'primes'");
        assertThat(archiveNames(archives)).as(run).isEmpty();
    }

    @Test
    void workersThatInheritAJavaAgentWriteNoDynamicArchives() throws Exception {
        Path archives = this.temp.resolve("archives");
        // a Java agent that does nothing but keep its Instrumentation: Mockito's, on this test's class path
        Path agent = Path.of(Class.forName("net.bytebuddy.agent.Installer").getProtectionDomain().getCodeSource()
            .getLocation().toURI());

        // beside -XX:ArchiveClassesAtExit a JVM running an agent does not start: the application did not either
        String run = JavaRuns.run(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + agent), "-Xmx128m", "-jar",
                extractedJar().toString(), "--sample.limit=100000", "--ipc.class-data-sharing.directory=" + archives,
                "--logging.level.io.ipcworkers.launch=info");

        assertThat(run).contains("9,592 primes below 100,000", "written by Spring worker pid")
            .contains("Class data sharing is off for workers of 'primes': they run -javaagent:" + agent + " (in "
                    + "JAVA_TOOL_OPTIONS), and the JVM writes no class data archive beside an agent");
        // an AOT cache is written beside an agent
        assertThat(archiveNames(archives)).as(run).hasSize(AOT_CACHE ? 1 : 0)
            .allSatisfy((name) -> assertThat(name).matches("reports\\.[0-9a-f]{16}\\.aot"));
    }

    /** The sample's jar, extracted as {@code java -Djarmode=tools -jar … extract} does: a class path of jars. */
    private Path extractedJar() throws Exception {
        Path jar = Path.of(System.getProperty("sample.jar"));
        Path application = this.temp.resolve("application");
        JavaRuns.run(Map.of(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", application.toString());
        return application.resolve(jar.getFileName());
    }

    private static List<String> archiveNames(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map((file) -> file.getFileName().toString()).toList();
        }
    }
}
