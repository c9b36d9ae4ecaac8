package io.ipcworkers.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import io.ipcworkers.CapturedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which options a pool's workers get for their class data archive, and what becomes of the file a
 * worker writes. That the JDK writes and maps such an archive is checked end to end by the sample
 * app's {@code ExtractedApplicationIT}, whose class path is one of jars (this module's tests run from
 * directories, which the JDK does not archive).
 */
class ClassDataArchivesTest {

    private static final List<String> OPTIONS = List.of("-XX:+ExitOnOutOfMemoryError", "-Xmx64m");

    @TempDir
    Path temp;

    private Path archives() {
        return this.temp.resolve("archives");
    }

    private String jars() throws IOException {
        Path lib = Files.createDirectories(this.temp.resolve("lib"));
        Path a = Files.write(lib.resolve("a.jar"), new byte[] { 1, 2, 3 });
        Path b = Files.write(lib.resolve("b.jar"), new byte[] { 4, 5 });
        return a + File.pathSeparator + b;
    }

    @Test
    void theFirstWorkerOfAPoolWritesItsArchiveAndNoOtherWorkerWritesItMeanwhile() throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false);

        ClassDataArchives.Use first = archives.forNextChild("reports", false, OPTIONS, Map.of());

        assertThat(first.jvmArgs()).hasSize(2);
        assertThat(first.jvmArgs().get(0)).startsWith("-XX:ArchiveClassesAtExit=" + archives().toAbsolutePath()
                .resolve("reports.")).endsWith(".partial");
        assertThat(first.jvmArgs().get(1)).isEqualTo("-Xlog:cds*=off");
        assertThat(archives.forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("thumbnails", false, OPTIONS, Map.of()).jvmArgs().get(0)).startsWith("-XX:ArchiveClassesAtExit=");
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 3 }) // the JVM writes it on its way out whatever the code: 3 is a worker whose parent left
    void anArchiveWrittenByAWorkerThatExitedByItselfIsMappedByTheWorkersAfterIt(int exitCode) throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false);
        ClassDataArchives.Use writer = archives.forNextChild("reports", false, OPTIONS, Map.of());
        Path partial = fileOf(writer);
        Files.write(partial, archiveBytes());

        writer.childExited(exitCode);

        assertThat(partial).doesNotExist();
        List<String> next = archives.forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs();
        assertThat(next).singleElement().asString().startsWith("-XX:SharedArchiveFile=").endsWith(".jsa");
        Path archive = Path.of(next.get(0).substring("-XX:SharedArchiveFile=".length()));
        assertThat(archive).hasParent(archives().toAbsolutePath()).hasBinaryContent(archiveBytes());
        assertThat(archive.getFileName().toString()).matches("reports\\.[0-9a-f]{16}\\.jsa");
    }

    @Test
    void fromJdk25OnASpringWorkersPoolSharesAnAotCacheAndAPlainOneADynamicArchive() throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false, 25);

        List<String> spring = archives.forNextChild("reports", true, OPTIONS, Map.of()).jvmArgs();
        assertThat(spring).hasSize(3);
        assertThat(spring.get(0)).startsWith("-XX:AOTCacheOutput=" + archives().toAbsolutePath().resolve("reports."))
            .endsWith(".partial");
        assertThat(spring.subList(1, 3)).containsExactly("-Xlog:aot*=off", "-Xlog:cds*=off");
        assertThat(archives.forNextChild("primes", false, OPTIONS, Map.of()).jvmArgs().get(0))
            .as("a plain worker loads most of its classes after it is ready: from an AOT cache it would be ready later")
            .startsWith("-XX:ArchiveClassesAtExit=");
        assertThat(new ClassDataArchives(archives(), jars(), false, 24).forNextChild("reports", true, OPTIONS, Map.of())
            .jvmArgs().get(0)).as("JDK 24 writes an AOT cache in two runs only").startsWith("-XX:ArchiveClassesAtExit=");
    }

    @Test
    void anAotCacheWrittenByAWorkerThatExitedByItselfIsLoadedByTheWorkersAfterIt() throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false, 25);
        ClassDataArchives.Use dynamicInstead = archives.forNextChild("reports", true, OPTIONS, Map.of());
        Files.write(fileOf(dynamicInstead), archiveBytes());
        dynamicInstead.childExited(0);
        assertThat(fileOf(dynamicInstead)).as("not an AOT cache from its start").doesNotExist();

        ClassDataArchives.Use writer = archives.forNextChild("reports", true, OPTIONS, Map.of());
        Path partial = fileOf(writer);
        Files.write(partial, aotCacheBytes());
        Path configuration = Files.write(Path.of(partial + ".config"), new byte[1]); // as a JVM killed while assembling leaves it
        writer.childExited(3);

        assertThat(partial).doesNotExist();
        assertThat(configuration).doesNotExist();
        ClassDataArchives.Use next = archives.forNextChild("reports", true, OPTIONS, Map.of());
        assertThat(next.jvmArgs()).singleElement().asString().startsWith("-XX:AOTCache=");
        Path cache = fileOf(next);
        assertThat(cache).hasParent(archives().toAbsolutePath()).hasBinaryContent(aotCacheBytes());
        assertThat(cache.getFileName().toString()).matches("reports\\.[0-9a-f]{16}\\.aot");
    }

    @Test
    void whatAWorkerLeftWhenItWasKilledOrCutShortIsDiscardedAndTheNextWorkerWritesTheArchiveAgain() throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false);
        ClassDataArchives.Use killed = archives.forNextChild("reports", false, OPTIONS, Map.of());
        Files.write(fileOf(killed), archiveBytes());

        killed.childExited(137);

        assertThat(fileOf(killed)).doesNotExist();
        ClassDataArchives.Use cutShort = archives.forNextChild("reports", false, OPTIONS, Map.of());
        assertThat(cutShort.jvmArgs().get(0)).startsWith("-XX:ArchiveClassesAtExit=");
        Files.write(fileOf(cutShort), new byte[8192]); // exited by itself, but not an archive from its start
        cutShort.childExited(0);
        assertThat(fileOf(cutShort)).doesNotExist();
        assertThat(archives.forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs().get(0)).startsWith("-XX:ArchiveClassesAtExit=");
        try (var files = Files.list(archives())) {
            assertThat(files.filter((file) -> file.toString().endsWith(".jsa"))).isEmpty();
        }
    }

    @Test
    void anArchiveIsNamedByTheJarsAsTheyAreAndTheOptionsSoThatANewVersionWritesANewOne() throws IOException {
        String jars = jars();
        String name = archiveNameAfterWriting(new ClassDataArchives(archives(), jars, false), OPTIONS);
        assertThat(nameFor(new ClassDataArchives(archives(), jars, false), OPTIONS)).isEqualTo(name);

        assertThat(nameFor(new ClassDataArchives(archives(), jars, false), List.of("-Xmx128m"))).isNotEqualTo(name);
        assertThat(nameFor(new ClassDataArchives(archives(), jars, false), OPTIONS, Map.of("JAVA_TOOL_OPTIONS",
                "-XX:-UseCompressedOops"))).as("the JVM refuses an archive written under other options from the environment")
            .isNotEqualTo(name);
        assertThat(nameFor(new ClassDataArchives(archives(), jars, false), OPTIONS, Map.of("PATH", "/bin",
                "JAVA_TOOL_OPTIONS", " -Dinstance.id=7f3a ", "JDK_JAVA_OPTIONS", ""))).as("system properties leave archives be")
            .isEqualTo(name);
        Path a = Path.of(jars.split(File.pathSeparator)[0]);
        Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() - 60_000));
        ClassDataArchives rebuilt = new ClassDataArchives(archives(), jars, false);
        String newName = archiveNameAfterWriting(rebuilt, OPTIONS);
        assertThat(newName).isNotEqualTo(name);
        assertThat(archives().resolve(name)).as("the pool's archive for the older jars").doesNotExist();
    }

    @Test
    void aNewArchiveReplacesOnlyItsOwnPoolsOlderOnes() throws IOException {
        Files.createDirectories(archives());
        Path older = Files.write(archives().resolve("reports.0123456789abcdef.jsa"), archiveBytes());
        Path otherPool = Files.write(archives().resolve("reports-b.0123456789abcdef.jsa"), archiveBytes());
        Path notAnArchive = Files.write(archives().resolve("reports.notes.jsa"), new byte[1]);
        Path olderKind = Files.write(archives().resolve("reports.fedcba9876543210.aot"), aotCacheBytes());

        archiveNameAfterWriting(new ClassDataArchives(archives(), jars(), false), OPTIONS);

        assertThat(older).doesNotExist();
        assertThat(olderKind).as("an AOT cache the pool's workers took on another JDK").doesNotExist();
        assertThat(otherPool).exists();
        assertThat(notAnArchive).exists();
    }

    @Test
    void unfinishedArchivesOfParentsThatAreGoneAreDeletedAndThoseOfARunningOneKept() throws IOException {
        Files.createDirectories(archives());
        long gone = new ProcessBuilder("true").start().pid(); // exited, and reaped below
        ProcessHandle.of(gone).ifPresent((handle) -> handle.onExit().join());
        Path orphaned = Files.write(archives().resolve("reports.0123456789abcdef.jsa.1." + gone + ".partial"), new byte[1]);
        Path running = Files.write(archives().resolve("reports.0123456789abcdef.jsa.1." + ProcessHandle.current().pid()
                + ".partial"), new byte[1]);
        Path orphanedConfiguration = Files.write(archives().resolve("reports.0123456789abcdef.aot.2." + gone
                + ".partial.config"), new byte[1]);
        Path runningConfiguration = Files.write(archives().resolve("reports.0123456789abcdef.aot.2."
                + ProcessHandle.current().pid() + ".partial.config"), new byte[1]);

        new ClassDataArchives(archives(), jars(), false);

        assertThat(orphaned).doesNotExist();
        assertThat(running).exists();
        assertThat(orphanedConfiguration).doesNotExist();
        assertThat(runningConfiguration).exists();
    }

    @Test
    void aClassPathWithADirectoryOrAnExecutableJarHasNoArchives() throws IOException {
        Path classes = Files.createDirectories(this.temp.resolve("classes"));
        Files.write(classes.resolve("Worker.class"), new byte[] { 1 });
        Path empty = Files.createDirectories(this.temp.resolve("empty"));

        assertThat(new ClassDataArchives(archives(), jars() + File.pathSeparator + classes, false)
            .forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).isEmpty();
        assertThat(new ClassDataArchives(archives(), this.temp.resolve("lib") + File.separator + "*", false)
            .forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).isEmpty();
        assertThat(new ClassDataArchives(archives(), jars(), true).forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).isEmpty();
        assertThat(new ClassDataArchives(archives(), jars() + File.pathSeparator + empty, false)
            .forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).as("an empty directory is no obstacle").isNotEmpty();
    }

    @Test
    void aDirectoryOthersMayWriteHasNoArchivesAndOneCreatedHereIsTheUsersAlone() throws IOException {
        ClassDataArchives created = new ClassDataArchives(archives(), jars(), false);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archives()))).isEqualTo("rwx------");
        assertThat(created.forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).isNotEmpty();

        Path shared = Files.createDirectories(this.temp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(new ClassDataArchives(shared, jars(), false).forNextChild("reports", false, OPTIONS, Map.of()).jvmArgs()).isEmpty();
        assertThat(ClassDataArchives.othersMayWrite(shared)).startsWith("the class data sharing directory " + shared
                + " can be written by other users (rwxrwxrwx)");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(ClassDataArchives.othersMayWrite(shared)).isNull();
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsRefusedNamingItAndWhy() throws IOException {
        Path file = Files.write(this.temp.resolve("a-file"), new byte[] { 1 });
        Path underAFile = file.resolve("archives");

        assertThatExceptionOfType(ClassDataDirectoryException.class)
            .isThrownBy(() -> new ClassDataArchives(underAFile, jars(), false))
            .withMessageStartingWith("Cannot create the class data sharing directory " + underAFile + ": ")
            .withCauseInstanceOf(IOException.class)
            .satisfies((ex) -> assertThat(ex.getDirectory()).isEqualTo(underAFile));
    }

    @Test
    void workersWhoseOptionsShareClassesTheirOwnWayAreLeftToThem() throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false);

        assertThat(archives.forNextChild("a", false, List.of("-XX:SharedArchiveFile=/opt/app.jsa"), Map.of()).jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("b", false, List.of("-Xshare:off"), Map.of()).jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("c", false, List.of("-XX:ArchiveClassesAtExit=/tmp/x.jsa"), Map.of()).jvmArgs()).isEmpty();
        // JDK 24's AOT cache: beside -XX:SharedArchiveFile the JVM does not start
        assertThat(archives.forNextChild("d", false, List.of("-XX:AOTCache=/opt/app.aot"), Map.of()).jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("e", false, List.of("-XX:AOTCacheOutput=/opt/app.aot"), Map.of()).jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("f", false, List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=/tmp/app.conf"), Map.of())
            .jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("g", false, List.of("-Xshare:on"), Map.of()).jvmArgs()).as("maps the archive or fails")
            .isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "-Xshare:on", "-Xshare:auto", "-XX:DumpLoadedClassList=/tmp/classes.lst", "-Xshare:off" })
    void workersThatWouldShareAnAotCacheAreLeftToAnyOptionTheJvmRefusesBesideIt(String option) throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false, 25);

        assertThat(archives.forNextChild("reports", true, List.of(option), Map.of()).jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("others", true, OPTIONS, Map.of("JAVA_TOOL_OPTIONS", option)).jvmArgs()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS" })
    void workersWhoseEnvironmentSharesClassesItsOwnWayAreLeftToIt(String variable) throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false);
        Map<String, String> sharing = Map.of(variable, " -Dapp.password=hunter2  -XX:AOTCache=/app/app.aot -Xss1m");

        try (CapturedLog log = new CapturedLog(ClassDataArchives.class)) {
            assertThat(archives.forNextChild("reports", false, OPTIONS, sharing).jvmArgs()).isEmpty();

            assertThat(log.messages()).singleElement().asString()
                .isEqualTo("Class data sharing is left to the JVM options of the workers of 'reports': "
                        + "-XX:AOTCache=/app/app.aot (in " + variable + ")")
                .as("the variable's other options may be secrets").doesNotContain("hunter2");
        }
        assertThat(archives.forNextChild("quoted", false, OPTIONS, Map.of(variable, "\"-XX:SharedArchiveFile=/my app/app.jsa\""))
            .jvmArgs()).isEmpty();
        assertThat(archives.forNextChild("others", false, OPTIONS, Map.of(variable, "-Xss1m -Dapp.password=hunter2", "PATH", "/bin"))
            .jvmArgs()).as("options that leave class data sharing be").isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "-javaagent:/opt/otel.jar=otel.exporter.key=s3cret", "-agentlib:jdwp=transport=dt_socket,address=5005",
        "-agentpath:/opt/profiler.so=token=s3cret" })
    void workersThatRunAnAgentWriteNoDynamicArchiveButAnAotCache(String agent) throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false, 25);
        String named = agent.substring(0, agent.indexOf('='));

        try (CapturedLog log = new CapturedLog(ClassDataArchives.class)) {
            // beside an agent, a JVM given -XX:ArchiveClassesAtExit does not start (JDK 17 and 25)
            assertThat(archives.forNextChild("primes", false, List.of(agent), Map.of()).jvmArgs()).isEmpty();
            assertThat(archives.forNextChild("inherited", false, OPTIONS, Map.of("JAVA_TOOL_OPTIONS", "-Xss1m " + agent))
                .jvmArgs()).isEmpty();

            assertThat(log.messages()).containsExactly(
                    "Class data sharing is off for workers of 'primes': they run " + named + ", and the JVM writes no "
                            + "class data archive beside an agent",
                    "Class data sharing is off for workers of 'inherited': they run " + named + " (in JAVA_TOOL_OPTIONS), "
                            + "and the JVM writes no class data archive beside an agent")
                .as("an agent's own options may be secrets").noneMatch((message) -> message.contains("s3cret"));
        }
        assertThat(archives.forNextChild("reports", true, List.of(agent), Map.of()).jvmArgs().get(0))
            .startsWith("-XX:AOTCacheOutput=");
    }

    @Test
    void aPoolNameThatIsNoFileNameIsMadeOne() throws IOException {
        ClassDataArchives archives = new ClassDataArchives(archives(), jars(), false);

        assertThat(fileOf(archives.forNextChild("../etc/ré port", false, OPTIONS, Map.of())).getParent()).isEqualTo(archives().toAbsolutePath());
        assertThat(ClassDataArchives.fileNameOf("../etc/ré port")).isEqualTo("___etc_r__port");
    }

    /** The file a worker's first option names: the archive it writes, or the one it maps. */
    private static Path fileOf(ClassDataArchives.Use use) {
        String option = use.jvmArgs().get(0);
        return Path.of(option.substring(option.indexOf('=') + 1));
    }

    private static String archiveNameAfterWriting(ClassDataArchives archives, List<String> options) throws IOException {
        ClassDataArchives.Use writer = archives.forNextChild("reports", false, options, Map.of());
        Files.write(fileOf(writer), archiveBytes());
        writer.childExited(0);
        return nameFor(archives, options);
    }

    /** The archive's file name, from the options of a worker that maps it or writes it. */
    private static String nameFor(ClassDataArchives archives, List<String> options) {
        return nameFor(archives, options, Map.of());
    }

    private static String nameFor(ClassDataArchives archives, List<String> options, Map<String, String> environment) {
        String option = archives.forNextChild("reports", false, options, environment).jvmArgs().get(0);
        String file = Path.of(option.substring(option.indexOf('=') + 1)).getFileName().toString();
        return file.substring(0, file.indexOf(".jsa") + 4);
    }

    /** What a dynamic archive written on a little-endian machine begins with, then some bytes. */
    private static byte[] archiveBytes() {
        return archiveBytes((byte) 0xa8);
    }

    /** What an AOT cache (a static archive) written on a little-endian machine begins with, then some bytes. */
    private static byte[] aotCacheBytes() {
        return archiveBytes((byte) 0xa2);
    }

    private static byte[] archiveBytes(byte first) {
        byte[] bytes = new byte[5000];
        bytes[0] = first;
        bytes[1] = (byte) 0xab;
        bytes[2] = 0x0b;
        bytes[3] = (byte) 0xf0;
        bytes[4999] = 7;
        return bytes;
    }
}
