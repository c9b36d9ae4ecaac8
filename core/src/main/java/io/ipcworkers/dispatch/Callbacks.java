package io.ipcworkers.dispatch;

/** What the library does when the application's code it calls back fails. */
public final class Callbacks {

    private Callbacks() {
    }

    /**
     * Throws a callback's failure again if it is the JVM's own trouble (out of memory, an internal
     * error), which must end the thread. Anything else is the caller's to report, and to go on after:
     * any exception, and the errors of the callback's own making (a failed assertion, a class its code
     * could not load, too deep a recursion). Used for listeners, hooks, pool listeners and output sinks.
     */
    public static void rethrowIfFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError error && !(failure instanceof StackOverflowError)) {
            throw error;
        }
    }
}
