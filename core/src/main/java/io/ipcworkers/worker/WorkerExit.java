package io.ipcworkers.worker;

import io.ipcworkers.launch.GracefulStop;

/** Exit codes of a child JVM, and a way out that cannot hang. */
public final class WorkerExit {

    /** The task returned normally. */
    public static final int OK = 0;

    /** The task threw; the exception is on stderr. */
    public static final int TASK_FAILED = 1;

    /** The child could not set itself up (bootstrap, connection, task or worker class). */
    public static final int SETUP_FAILED = 2;

    /** The parent went away (its end of our stdin or of the socket closed). */
    public static final int PARENT_GONE = 3;

    private static final long HALT_AFTER_MILLIS = 1500;

    private WorkerExit() {
    }

    /**
     * Exits because the parent is gone (even by SIGKILL), and first stops the processes this one
     * started (a tool a listener runs, and what that started): nobody is left to stop them, and the
     * parent promises no orphans. SIGTERM, then SIGKILL for those still running after
     * {@value GracefulStop#GRACE_MILLIS} ms.
     */
    public static void parentGone() {
        stopDescendants();
        exit(PARENT_GONE);
    }

    static void stopDescendants() {
        GracefulStop.stop(ProcessHandle.current().descendants().toList());
    }

    /**
     * Exits the JVM, running shutdown hooks (a Spring worker closes its context); a hook that hangs
     * cannot keep the process alive past {@value #HALT_AFTER_MILLIS} ms.
     */
    public static void exit(int code) {
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_MILLIS);
            }
            catch (InterruptedException ex) {
                // halt now
            }
            Runtime.getRuntime().halt(code);
        }, "ipc-exit-watchdog");
        halter.setDaemon(true);
        halter.start();
        System.exit(code);
    }
}
