package io.ipcworkers;

import java.time.Duration;
import java.util.Collection;

import static org.awaitility.Awaitility.await;

/** Checks that processes are really gone: a test that leaves a JVM behind fails. */
public final class Processes {

    private Processes() {
    }

    public static void assertAllGone(Collection<Long> pids, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> pids.stream().noneMatch(Processes::isAlive));
    }

    /** Running, that is: a zombie has exited already and waits only for its new parent to reap it. */
    public static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !isZombie(pid);
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        }
        catch (java.io.IOException | RuntimeException ex) {
            return false; // no /proc, or the process is gone: ProcessHandle has answered
        }
    }
}
