package io.ipcworkers.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which listener failures are the first of their kind (topic, exception class, the line that threw),
 * so that a listener failing on every message of a stream has its stack trace logged once, not once a
 * message. A bounded number of kinds is remembered; past that, a new kind always counts as first.
 */
public final class FailureKinds {

    private static final int KINDS_REMEMBERED = 256;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** Whether this failure of a listener for the topic is the first of its kind; remembers it. */
    public boolean isFirst(String topic, Throwable failure) {
        return isFirst(kind(topic, failure));
    }

    /** Whether this key is seen for the first time; remembers it. */
    public boolean isFirst(String key) {
        return (this.seen.size() < KINDS_REMEMBERED) ? this.seen.add(key) : !this.seen.contains(key);
    }

    private static String kind(String topic, Throwable failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        return topic + '\n' + failure.getClass().getName() + '\n' + ((trace.length > 0) ? trace[0] : "");
    }
}
