package io.ipcworkers.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The two kinds of class data archive a pool's workers can share: the options that write and map each,
 * the options a JVM refuses beside them, and what its file looks like.
 */
enum ClassDataFormat {

    /**
     * Maps each class when it is first used. A JVM writing one refuses to start beside a Java agent ("Must
     * enable AllowArchivingWithJavaAgent") or a native one, a debugger's say ("CDS dumping does not support
     * native JVMTI agent"), on JDK 17 and 25.
     */
    DYNAMIC_ARCHIVE("class data archive", ".jsa", "-XX:ArchiveClassesAtExit=", "-XX:SharedArchiveFile=", 0xf00baba8,
            List.of("-Xlog:cds*=off"), List.of("-Xshare:off", "-Xshare:dump"), List.of("-javaagent:", "-agentlib:", "-agentpath:")),

    /**
     * JDK 25's, written as the JVM exits (JEP 514); loads and links all of its classes as the JVM starts
     * (JEP 483). The JVM refuses {@code -XX:AOTCache} beside any {@code -Xshare} option, {@code on} and
     * {@code auto} too.
     */
    AOT_CACHE("AOT cache", ".aot", "-XX:AOTCacheOutput=", "-XX:AOTCache=", 0xf00baba2,
            List.of("-Xlog:aot*=off", "-Xlog:cds*=off"), List.of("-Xshare:", "-XX:DumpLoadedClassList"), List.of());

    /**
     * Options by which the application runs class data sharing its own way, which a JVM refuses to start with
     * beside either kind: the workers are left to them.
     */
    private static final List<String> OWN_SHARING_OPTIONS = List.of("-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit",
            "-XX:+AutoCreateSharedArchive", "-XX:SharedClassListFile", "-XX:AOTCache", "-XX:AOTCacheOutput",
            "-XX:AOTConfiguration", "-XX:AOTMode");

    final String noun;

    final String extension;

    final String writeOption;

    final String mapOption;

    /** What its file begins with, in the byte order of the machine that wrote it. */
    private final int magic;

    /** For the writer: the JDK says much of what it leaves out of an archive (lambda forms, JFR classes). */
    final List<String> quietOptions;

    private final List<String> conflictingOptions;

    private final List<String> agentOptions;

    ClassDataFormat(String noun, String extension, String writeOption, String mapOption, int magic,
            List<String> quietOptions, List<String> conflictingOptions, List<String> agentOptions) {
        this.noun = noun;
        this.extension = extension;
        this.writeOption = writeOption;
        this.mapOption = mapOption;
        this.magic = magic;
        this.quietOptions = quietOptions;
        this.conflictingOptions = conflictingOptions;
        this.agentOptions = agentOptions;
    }

    /** Whether the option shares classes its own way, in a way the JVM refuses beside this kind. */
    boolean conflictsWith(String option) {
        return startsWithAny(option, OWN_SHARING_OPTIONS) || startsWithAny(option, this.conflictingOptions);
    }

    /** Whether the option runs an agent beside which the JVM writes no archive of this kind. */
    boolean refusesAgent(String option) {
        return startsWithAny(option, this.agentOptions);
    }

    private static boolean startsWithAny(String option, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (option.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Written to its end: not empty, and it begins as the JDK's archives of this kind do. */
    boolean isWhole(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < 4096) {
            return false;
        }
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4) {
                return false;
            }
        }
        int bigEndian = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        return bigEndian == this.magic || Integer.reverseBytes(bigEndian) == this.magic;
    }
}
