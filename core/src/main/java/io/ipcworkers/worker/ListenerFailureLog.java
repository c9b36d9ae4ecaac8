package io.ipcworkers.worker;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.ipcworkers.NoListenerException;

/**
 * Prints, on the worker's stderr (which the parent forwards to its log), what its listeners threw.
 * Only the exception's class and message cross to the parent, so the stack trace is printed here, for
 * the first failure of its kind (topic, exception class, the line that threw) and not again: the
 * parent has each failure, a failed request's caller as its exception and a failed send as a dead
 * letter, so a listener failing on every message of a stream does not fill the log from here too.
 */
final class ListenerFailureLog {

    /** Kinds remembered; past this many, a new kind is always printed rather than the set growing. */
    private static final int KINDS_REMEMBERED = 256;

    private final PrintStream out;

    private final Set<String> traced = ConcurrentHashMap.newKeySet();

    private final Set<String> topicsWithoutListener = ConcurrentHashMap.newKeySet();

    ListenerFailureLog(PrintStream out) {
        this.out = out;
    }

    void sendFailed(String topic, Throwable failure) {
        failed(topic, failure, "failed: ", "each becomes a dead letter in the parent");
    }

    void requestFailed(String topic, Throwable failure) {
        failed(topic, failure, "failed a request: ", "its caller gets the exception");
    }

    private void failed(String topic, Throwable failure, String what, String whereEachGoes) {
        if (firstOfItsKind(this.traced, kind(topic, failure))) {
            this.out.println("[ipc-workers] Listener for topic '" + topic + "' " + what + failure + " (" + whereEachGoes
                    + "; this trace is printed for the first such failure only)");
            failure.printStackTrace(this.out);
        }
    }

    /** Once per topic: the parent is told of each such message in its dead letter. */
    void noListener(String topic, NoListenerException failure) {
        if (firstOfItsKind(this.topicsWithoutListener, topic)) {
            this.out.println("[ipc-workers] " + failure.getMessage() + "; dropping such messages");
        }
    }

    private static boolean firstOfItsKind(Set<String> seen, String kind) {
        return (seen.size() < KINDS_REMEMBERED) ? seen.add(kind) : !seen.contains(kind);
    }

    private static String kind(String topic, Throwable failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        return topic + '\n' + failure.getClass().getName() + '\n' + ((trace.length > 0) ? trace[0] : "");
    }
}
