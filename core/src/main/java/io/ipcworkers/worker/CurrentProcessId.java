package io.ipcworkers.worker;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * This JVM's pid, found without {@code ProcessHandle}: initializing {@code ProcessHandleImpl} sets up
 * a thread pool and generates several lambda classes (6–10 ms in a fresh JVM), on a worker's way to
 * its first message. On Linux one small read of {@code /proc/self/status} gives it; elsewhere, or if
 * that does not give a number, {@code ProcessHandle} answers. No {@code +} on strings here: the
 * first string concatenation in a JVM sets up the JDK's {@code invokedynamic} support for it.
 */
public final class CurrentProcessId {

    private static final String NSPID = "\nNSpid:";

    private CurrentProcessId() {
    }

    public static long get() {
        return Holder.PID;
    }

    /**
     * The last pid of the {@code NSpid} line: the pid in the process's own namespace, as
     * {@code getpid()} gives it, even where {@code /proc} was mounted for an enclosing namespace
     * (where the {@code Pid} line and {@code /proc/self} name a different number).
     * @return the pid, or -1 if the status has no such line
     */
    static long fromStatus(String status) {
        int line = status.indexOf(NSPID);
        if (line < 0) {
            return -1;
        }
        int end = status.indexOf('\n', line + 1);
        String pids = status.substring(line + NSPID.length(), (end < 0) ? status.length() : end).trim();
        String innermost = pids.substring(Math.max(pids.lastIndexOf('\t'), pids.lastIndexOf(' ')) + 1);
        try {
            return Long.parseLong(innermost);
        }
        catch (NumberFormatException ex) {
            return -1;
        }
    }

    private static final class Holder {

        static final long PID = find();

        private static long find() {
            long pid = -1;
            try (FileInputStream status = new FileInputStream("/proc/self/status")) {
                pid = fromStatus("\n".concat(new String(status.readAllBytes(), StandardCharsets.ISO_8859_1)));
            }
            catch (IOException | SecurityException ex) {
                // not Linux, or no /proc: ask the JDK
            }
            return (pid > 0) ? pid : ProcessHandle.current().pid();
        }
    }
}
