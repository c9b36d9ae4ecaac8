package io.ipcworkers.worker;

/**
 * This JVM's pid, found without {@code ProcessHandle}: initializing {@code ProcessHandleImpl} sets up
 * a thread pool and generates several lambda classes (6–10 ms in a fresh JVM), on a worker's way to
 * its first message. On Linux one small read of {@code /proc/self/status} gives it; elsewhere, or if
 * that does not give a number, {@code ProcessHandle} answers. No {@code +} on strings here: the
 * first string concatenation in a JVM sets up the JDK's {@code invokedynamic} support for it.
 */
public final class CurrentProcessId {

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
        String pids = ProcSelfStatus.field(status, "NSpid");
        if (pids == null) {
            return -1;
        }
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
            String status = ProcSelfStatus.read();
            long pid = (status != null) ? fromStatus(status) : -1;
            return (pid > 0) ? pid : ProcessHandle.current().pid();
        }
    }
}
