package io.ipcworkers.worker;

import java.io.File;
import java.io.IOException;

/**
 * This JVM's pid, found without {@code ProcessHandle}: initializing {@code ProcessHandleImpl} sets up
 * a thread pool and generates several lambda classes (6–10 ms in a fresh JVM), on a worker's way to
 * its first message. On Linux {@code /proc/self} names the pid in one system call; elsewhere, or if
 * that does not give a number, {@code ProcessHandle} answers.
 */
public final class CurrentProcessId {

    private CurrentProcessId() {
    }

    public static long get() {
        return Holder.PID;
    }

    static long fromProcSelf(File procSelf) {
        try {
            return Long.parseLong(procSelf.getCanonicalFile().getName());
        }
        catch (IOException | NumberFormatException | SecurityException ex) {
            return -1;
        }
    }

    private static final class Holder {

        static final long PID = find();

        private static long find() {
            long pid = fromProcSelf(new File("/proc/self"));
            return (pid > 0) ? pid : ProcessHandle.current().pid();
        }
    }
}
