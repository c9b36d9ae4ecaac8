package io.ipcworkers.launch;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * Class data sharing archives for the workers of each group (a pool): the first worker of a group with
 * no archive writes one when it exits, into a file of its own that takes the archive's name only once
 * that worker has exited by itself (the JVM writes the archive on its way out, whatever its exit code,
 * and a halt waits for it; a signal cuts it short); the workers started after that map the classes it
 * loaded ready-made. A group's archive is a dynamic archive ({@code -XX:ArchiveClassesAtExit}, then
 * {@code -XX:SharedArchiveFile}), which maps each class when it is first used; or, on JDK 25 and later
 * for workers that load most of their classes before they are ready (a Spring worker), an AOT cache
 * ({@code -XX:AOTCacheOutput}, then {@code -XX:AOTCache}), which loads and links all of its classes as
 * the JVM starts: a Spring worker is ready sooner from it, a plain worker later.
 * An archive is named by its group and a digest of the JDK, the class path (each entry's size and
 * time) and the JVM options, so a new version of the application writes a new one and never meets an
 * archive the JDK would refuse; older archives of the group are deleted then. The JDK archives classes
 * from jars only: with a directory on the class path, or from an executable jar, there are none. An
 * archive is code the workers run, so the directory is created for this user alone, and one that another
 * user owns or others may write is not used.
 */
final class ClassDataArchives {

    private static final System.Logger logger = System.getLogger(ClassDataArchives.class.getName());

    /** The first JDK whose JVM writes an AOT cache as it exits ({@code -XX:AOTCacheOutput}, JEP 514). */
    static final int FIRST_JDK_WRITING_AOT_CACHE_AT_EXIT = 25;

    /** What a JVM writing an AOT cache names the configuration it records for it: the cache's file name, then this. */
    private static final String AOT_CONFIGURATION = ".config";

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path directory;

    /** Why this class path cannot be archived; null when it can. */
    private final @Nullable String unusable;

    /** Digest input that is the same for every group: the JDK and the class path's jars as they are now. */
    private final String classPathState;

    /** The archives being written now, by path: one writer each. */
    private final Set<Path> writing = ConcurrentHashMap.newKeySet();

    /** Groups whose archives are off, or whose workers map one, told so once (per archive). */
    private final Set<String> told = ConcurrentHashMap.newKeySet();

    private final AtomicLong writers = new AtomicLong();

    /** The release of the JDK the workers run (the application's). */
    private final int jdkFeature;

    /**
     * @throws ClassDataDirectoryException when the directory cannot be created
     */
    ClassDataArchives(Path directory, String classPath, boolean bootExecutableJar) {
        this(directory, classPath, bootExecutableJar, Runtime.version().feature());
    }

    ClassDataArchives(Path directory, String classPath, boolean bootExecutableJar, int jdkFeature) {
        this.jdkFeature = jdkFeature;
        this.directory = directory.toAbsolutePath();
        try {
            if (POSIX) {
                Files.createDirectories(this.directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            else {
                Files.createDirectories(this.directory);
            }
        }
        catch (IOException ex) {
            throw new ClassDataDirectoryException(this.directory, ex);
        }
        String othersMayWrite = othersMayWrite(this.directory);
        if (othersMayWrite != null) {
            logger.log(Level.WARNING, "Class data sharing is off: " + othersMayWrite);
        }
        this.unusable = (othersMayWrite != null) ? othersMayWrite
                : bootExecutableJar ? "the classes of an executable jar's nested jars cannot be archived: extract it "
                        + "(java -Djarmode=tools -jar app.jar extract) and run it from there"
                : directoryOn(classPath);
        this.classPathState = (this.unusable != null) ? "" : stateOf(classPath);
        deleteOrphanedPartials();
    }

    /**
     * Files whose writing parent is gone (killed while one of its workers wrote): nobody will keep them.
     * A partial file's name ends with that parent's pid, so those of another application sharing the
     * directory are left alone while it runs; so does the configuration a JVM writing an AOT cache
     * records beside it, which that JVM deletes unless it is killed.
     */
    private void deleteOrphanedPartials() {
        String pattern = "*.{partial,partial" + AOT_CONFIGURATION + "}";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory, pattern)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(AOT_CONFIGURATION)) {
                    name = name.substring(0, name.length() - AOT_CONFIGURATION.length());
                }
                String[] parts = name.split("\\.");
                long pid = (parts.length >= 2) ? parsePid(parts[parts.length - 2]) : -1;
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Files.deleteIfExists(file);
            }
        }
        catch (IOException | RuntimeException ex) {
            logger.log(Level.DEBUG, "Could not look for unfinished class data archives in " + this.directory + ": " + ex);
        }
    }

    private static long parsePid(String text) {
        try {
            return Long.parseLong(text);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

    /**
     * Why others than this user could put an archive there, if they could: an archive is code the workers
     * run, so the directory must be this user's alone (checked where the file system has POSIX permissions).
     */
    static @Nullable String othersMayWrite(Path directory) {
        if (!POSIX) {
            return null;
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                return "the class data sharing directory " + directory + " can be written by other users ("
                        + PosixFilePermissions.toString(permissions) + "), and an archive there is code the workers run";
            }
            // this user as the file system names it: a file of ours says so, where user.name may not
            Path probe = Files.createTempFile(directory, ".owner", ".probe");
            UserPrincipal user;
            try {
                user = Files.getOwner(probe);
            }
            finally {
                Files.deleteIfExists(probe);
            }
            UserPrincipal owner = Files.getOwner(directory);
            if (!owner.equals(user)) {
                return "the class data sharing directory " + directory + " belongs to " + owner.getName() + ", not to "
                        + user.getName() + ", and an archive there is code the workers run";
            }
            return null;
        }
        catch (IOException ex) {
            return "the class data sharing directory " + directory + " could not be checked: " + ex;
        }
    }

    /** The first non-empty directory or wildcard on the class path, as the reason it cannot be archived. */
    private static @Nullable String directoryOn(String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith("*")) {
                return "its class path has the wildcard " + entry + " (the JDK archives classes from jars named one by one)";
            }
            Path path;
            try {
                path = pathOf(entry);
            }
            catch (InvalidPathException ex) {
                return "its class path has the entry " + entry + ", which is no path here";
            }
            if (Files.isDirectory(path) && !isEmpty(path)) {
                return "its class path has the directory " + path
                        + " (the JDK archives classes from jars only: run the application from its jars)";
            }
        }
        return null;
    }

    /** A class path entry as the JVM takes it: an empty one is the working directory. */
    private static Path pathOf(String entry) {
        return Path.of(entry.isEmpty() ? "." : entry);
    }

    private static boolean isEmpty(Path directory) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            return !entries.iterator().hasNext();
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static String stateOf(String classPath) {
        StringBuilder state = new StringBuilder(System.getProperty("java.home", "")).append('\0')
            .append(System.getProperty("java.vm.version", "")).append('\0');
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = pathOf(entry); // a path: the class path was checked entry by entry first
            state.append(entry).append('\0');
            try {
                state.append(Files.size(path)).append('\0').append(Files.getLastModifiedTime(path).toMillis()).append('\0');
            }
            catch (IOException ex) {
                state.append("-\0"); // missing: the JDK sees it missing too
            }
        }
        return state.toString();
    }

    /**
     * What the next worker of the group gets: the archive's options when it exists; else, when no
     * other worker is writing it, the options to write it (call {@link Use#childExited} when that
     * worker has exited); else nothing. Nothing either when its options, or those its environment
     * gives it, share classes their own way, or run an agent beside which the JVM writes no dynamic archive.
     * @param classesBeforeReady whether the group's workers load most of their classes before they are
     *        ready (a Spring worker's context), so that an AOT cache serves them better where the JDK has one
     * @param environment the worker's whole environment, as it will start with it
     */
    Use forNextChild(String group, boolean classesBeforeReady, List<String> jvmArgs, Map<String, String> environment) {
        if (this.unusable != null) {
            tellOnce(group, "Class data sharing is off for workers of '" + group + "': " + this.unusable);
            return Use.NONE;
        }
        ClassDataFormat format = (classesBeforeReady && this.jdkFeature >= FIRST_JDK_WRITING_AOT_CACHE_AT_EXIT)
                ? ClassDataFormat.AOT_CACHE : ClassDataFormat.DYNAMIC_ARCHIVE;
        WorkerJvmOptions options = new WorkerJvmOptions(jvmArgs, environment);
        List<String> ownSharing = options.matching(format::conflictsWith, false);
        if (!ownSharing.isEmpty()) {
            tellOnce(group, "Class data sharing is left to the JVM options of the workers of '" + group + "': "
                    + String.join(", ", ownSharing));
            return Use.NONE;
        }
        List<String> agents = options.matching(format::refusesAgent, true);
        if (!agents.isEmpty()) {
            tellOnce(group, "Class data sharing is off for workers of '" + group + "': they run "
                    + String.join(", ", agents) + ", and the JVM writes no " + format.noun + " beside an agent");
            return Use.NONE;
        }
        Path archive = this.directory.resolve(fileNameOf(group) + "." + digest(group, jvmArgs, options) + format.extension);
        if (Files.isRegularFile(archive)) {
            tellOnce(archive.toString(), "Workers of '" + group + "' start from the " + format.noun + " " + archive);
            return new Use(List.of(format.mapOption + archive), null);
        }
        if (!this.writing.add(archive)) {
            return Use.NONE;
        }
        Path partial = this.directory.resolve(archive.getFileName() + "." + this.writers.incrementAndGet() + "."
                + ProcessHandle.current().pid() + ".partial");
        List<String> writing = new ArrayList<>();
        writing.add(format.writeOption + partial);
        writing.addAll(format.quietOptions);
        return new Use(writing, new Writing(group, format, archive, partial));
    }

    private void tellOnce(String key, String what) {
        if (this.told.add(key)) {
            logger.log(Level.INFO, what);
        }
    }

    /**
     * Waits, up to the time given, for the workers that have exited to have their archives kept: the
     * launcher's owner has stopped its workers, and the application may be about to exit.
     */
    void awaitWriters(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (this.writing) {
            for (long left = millis; !this.writing.isEmpty() && left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                try {
                    this.writing.wait(left);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A group's name as a file name: letters, digits, '-' and '_' as they are, anything else as '_'. */
    static String fileNameOf(String group) {
        StringBuilder name = new StringBuilder(group.length());
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            name.append((Character.isLetterOrDigit(c) && c < 128) || c == '-' || c == '_' ? c : '_');
        }
        return name.toString();
    }

    /**
     * The group is in it too: two groups whose names make the same file name still have archives of their own.
     * So are the JVM's own options ({@code -X…}) the worker takes from its environment: the JVM refuses an
     * archive written under others (compressed pointers, say), and would say so at every start. Not the
     * system properties there, which may change from run to run (an instance's id) and leave archives be.
     */
    private String digest(String group, List<String> jvmArgs, WorkerJvmOptions options) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((group + "\0" + this.classPathState).getBytes(StandardCharsets.UTF_8));
            sha.update(String.join("\0", jvmArgs).getBytes(StandardCharsets.UTF_8));
            for (String option : options.jvmOwnFromEnvironment()) {
                sha.update(("\0" + option).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is a required algorithm", ex);
        }
    }

    /** A worker's part in its group's archive: the options it starts with, and the archive it writes, if any. */
    static final class Use {

        static final Use NONE = new Use(List.of(), null);

        private final List<String> jvmArgs;

        private final @Nullable Writing writing;

        Use(List<String> jvmArgs, @Nullable Writing writing) {
            this.jvmArgs = jvmArgs;
            this.writing = writing;
        }

        List<String> jvmArgs() {
            return this.jvmArgs;
        }

        /** Whether the worker writes the archive: {@link #childExited} is then to be called. */
        boolean writes() {
            return this.writing != null;
        }

        /** Keeps what the worker wrote when it exited by itself; gives up the partial file when a signal ended it. */
        void childExited(int exitCode) {
            if (this.writing != null) {
                this.writing.finish(exitCode);
            }
        }
    }

    /** One worker writing its group's archive. */
    final class Writing {

        private final String group;

        private final ClassDataFormat format;

        private final Path archive;

        private final Path partial;

        Writing(String group, ClassDataFormat format, Path archive, Path partial) {
            this.group = group;
            this.format = format;
            this.archive = archive;
            this.partial = partial;
        }

        void finish(int exitCode) {
            Path configuration = this.partial.resolveSibling(this.partial.getFileName() + AOT_CONFIGURATION);
            try {
                // 3 is common: a stopping worker that sees its connection closed while it writes exits as "parent gone"
                if (exitCode >= 0 && exitCode < 128 && this.format.isWhole(this.partial)) {
                    Files.move(this.partial, this.archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    logger.log(Level.INFO, "Wrote the " + this.format.noun + " of '" + this.group + "' (" + this.archive + ", "
                            + (Files.size(this.archive) >> 20) + " MB): its workers start from it from now on");
                    deleteOthersOfGroup();
                }
                else {
                    logger.log(Level.DEBUG, "The worker writing the " + this.format.noun + " of '" + this.group
                            + "' exited with code " + exitCode + ", its archive "
                            + (Files.exists(this.partial) ? "unfinished" : "not written") + ": the next worker writes it again");
                    Files.deleteIfExists(this.partial); // killed, say
                }
                Files.deleteIfExists(configuration); // the writing JVM's own, left when it was killed
            }
            catch (IOException ex) {
                logger.log(Level.WARNING, "Could not keep the " + this.format.noun + " of '" + this.group + "' at "
                        + this.archive + ": " + ex + "; the next worker writes it again");
                try {
                    Files.deleteIfExists(this.partial);
                    Files.deleteIfExists(configuration);
                }
                catch (IOException ignored) {
                    // left for the next application start to overwrite: its name is never reused
                }
            }
            finally {
                Set<Path> writing = ClassDataArchives.this.writing;
                synchronized (writing) {
                    writing.remove(this.archive);
                    writing.notifyAll();
                }
            }
        }

        /** The group's archives for earlier versions of the application or its options. */
        private void deleteOthersOfGroup() throws IOException {
            String prefix = fileNameOf(this.group) + ".";
            try (DirectoryStream<Path> files = Files.newDirectoryStream(ClassDataArchives.this.directory,
                    (file) -> isArchiveOfGroup(file.getFileName().toString(), prefix) && !file.equals(this.archive))) {
                for (Path file : files) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /**
     * "group.0123456789abcdef.jsa" or ".aot": a digest of 16 hex digits, so that group "a" never takes "a.b"'s;
     * either kind, so that a pool whose workers now share classes the other way (a new JDK) leaves none behind.
     */
    static boolean isArchiveOfGroup(String fileName, String prefix) {
        return fileName.startsWith(prefix)
                && (fileName.endsWith(ClassDataFormat.DYNAMIC_ARCHIVE.extension)
                        || fileName.endsWith(ClassDataFormat.AOT_CACHE.extension))
                && fileName.length() == prefix.length() + 16 + 4
                && fileName.substring(prefix.length(), prefix.length() + 16).chars()
                    .allMatch((c) -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
