package io.ipcworkers.worker;

/**
 * Tells code whether it runs inside a worker JVM. Set by the worker's main class at start-up (as a
 * system property, never on the command line), so that Spring configuration in a worker sets up
 * the worker side only and never starts pools of its own.
 */
public final class WorkerJvm {

    /** System property that is {@code "true"} in a worker JVM. */
    public static final String PROPERTY = "ipcworkers.worker";

    private WorkerJvm() {
    }

    public static boolean isWorkerJvm() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Called once by the worker's main class. */
    public static void mark() {
        System.setProperty(PROPERTY, "true");
    }
}
