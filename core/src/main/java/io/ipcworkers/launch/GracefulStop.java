package io.ipcworkers.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Stops processes the way a service manager does: SIGTERM, so that a tool can remove its temporary
 * files, then SIGKILL for those still running after a grace period. Used by a worker for what it
 * started, and by the parent for what a dead child left behind.
 */
public final class GracefulStop {

    /** How long the processes have, after SIGTERM, before SIGKILL. */
    public static final long GRACE_MILLIS = 500;

    private GracefulStop() {
    }

    /** Stops the processes, giving them {@value #GRACE_MILLIS} ms after SIGTERM. */
    public static void stop(List<ProcessHandle> processes) {
        stop(processes, GRACE_MILLIS);
    }

    static void stop(List<ProcessHandle> processes, long graceMillis) {
        processes.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + graceMillis * 1_000_000;
        while (processes.stream().anyMatch(GracefulStop::isRunning) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        processes.stream().filter(GracefulStop::isRunning).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Alive and not a zombie: a process that has exited stays in the process table until its parent
     * reaps it, and an orphan's parent is init, which may take its time (or, as PID 1 of a container
     * without an init, never do it).
     */
    static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'; // the state follows the command's name in parentheses
        }
        catch (IOException | RuntimeException ex) {
            return process.isAlive(); // no /proc (not Linux), or gone meanwhile
        }
    }
}
