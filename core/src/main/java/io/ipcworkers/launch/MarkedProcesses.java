package io.ipcworkers.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The running processes that carry a {@link ProcessTreeMark}, found through {@code /proc}: on Linux
 * only (elsewhere none are found), and only among the processes of this process's user, which a child
 * and what it starts run as. Others' environments are not read even where they could be (as root):
 * they may hold secrets, and a mark found there could only have been put there by hand.
 */
final class MarkedProcesses {

    private static final Path PROC = Path.of("/proc");

    private MarkedProcesses() {
    }

    /** Each mark found, with the processes that carry it; one pass over the process table for all. */
    static Map<ProcessTreeMark, List<ProcessHandle>> find(Collection<ProcessTreeMark> marks) {
        Map<ProcessTreeMark, List<ProcessHandle>> found = new LinkedHashMap<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            Object user = Files.getAttribute(PROC.resolve(Long.toString(self)), "unix:uid");
            for (Path entry : entries) {
                long pid = pidOf(entry.getFileName().toString());
                if (pid <= 0 || pid == self || !user.equals(uidOf(entry))) {
                    continue;
                }
                // taken before the environment is read: its start time keeps a pid reused meanwhile from being signalled
                Optional<ProcessHandle> process = ProcessHandle.of(pid);
                byte[] environ = process.isPresent() ? environ(entry) : null;
                if (environ == null) {
                    continue;
                }
                for (ProcessTreeMark mark : marks) {
                    if (mark.isIn(environ)) {
                        found.computeIfAbsent(mark, (key) -> new ArrayList<>()).add(process.get());
                        break;
                    }
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // no /proc (not Linux), or no "unix" file attributes
        }
        return found;
    }

    private static @Nullable Object uidOf(Path entry) {
        try {
            return Files.getAttribute(entry, "unix:uid");
        }
        catch (IOException | RuntimeException ex) {
            return null; // gone meanwhile
        }
    }

    private static byte @Nullable [] environ(Path entry) {
        try {
            return Files.readAllBytes(entry.resolve("environ"));
        }
        catch (IOException ex) {
            return null; // another user's process, or gone meanwhile
        }
    }

    /** The pid a {@code /proc} entry stands for, or -1 for the entries that are not processes. */
    static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 18) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}
