package io.ipcworkers.pool;

/** Whether this JVM has begun to shut down: its shutdown hooks are running, or have run. */
final class JvmShutdown {

    private static final Runnable NOTHING = new Nothing();

    private JvmShutdown() {
    }

    /** Asked of the JVM the one way it answers: it refuses new shutdown hooks once it is shutting down. */
    static boolean inProgress() {
        Thread probe = new Thread(NOTHING, "ipc-shutdown-probe"); // never started, unless shutdown comes in between
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        }
        catch (IllegalStateException ex) {
            return true;
        }
    }

    private static final class Nothing implements Runnable {

        @Override
        public void run() {
        }
    }
}
