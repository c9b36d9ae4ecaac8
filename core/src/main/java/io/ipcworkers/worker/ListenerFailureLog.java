package io.ipcworkers.worker;

import java.io.PrintStream;

import io.ipcworkers.NoListenerException;
import io.ipcworkers.dispatch.FailureKinds;

/**
 * Prints, on the worker's stderr (which the parent forwards to its log), what its listeners threw.
 * Only the exception's class and message cross to the parent, so the stack trace is printed here, for
 * the first failure of its kind (topic, exception class, the line that threw) and not again: the
 * parent has each failure, a failed request's caller as its exception and a failed send as a dead
 * letter, so a listener failing on every message of a stream does not fill the log from here too.
 */
final class ListenerFailureLog {

    private final PrintStream out;

    private final FailureKinds traced = new FailureKinds();

    private final FailureKinds topicsWithoutListener = new FailureKinds();

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
        if (this.traced.isFirst(topic, failure)) {
            this.out.println("[ipc-workers] Listener for topic '" + topic + "' " + what + failure + " (" + whereEachGoes
                    + "; this trace is printed for the first such failure only)");
            failure.printStackTrace(this.out);
        }
    }

    /** Once per topic: the parent is told of each such message in its dead letter. */
    void noListener(String topic, NoListenerException failure) {
        if (this.topicsWithoutListener.isFirst(topic)) {
            this.out.println("[ipc-workers] " + failure.getMessage() + "; dropping such messages");
        }
    }
}
