package io.ipcworkers.channel;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Says so when a write has waited long for the peer to read: a send to a process that reads nothing
 * waits for as long as it does, which otherwise shows only as a thread stuck in a thread dump. Once
 * per stall, and again when the write moves on.
 */
final class WriteStalls {

    static final long DEFAULT_WARNING_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long warningNanos;

    private volatile String peer = "The other process";

    WriteStalls(long warningNanos) {
        this.warningNanos = warningNanos;
    }

    void describePeer(String description) {
        this.peer = description;
    }

    /** When a write that has made no progress since {@code stalledSinceNanos} is to be reported. */
    long warningDue(long stalledSinceNanos) {
        return stalledSinceNanos + this.warningNanos;
    }

    void stalled(long stalledSinceNanos) {
        logger().log(Level.WARNING, this.peer + " has read nothing sent to it"
                + " for " + elapsed(stalledSinceNanos) + "; the send waits until it reads. It is busy or stuck, or"
                + " itself waiting to send to this process, which must then read its messages while sending to it");
    }

    void resumed(long stalledSinceNanos) {
        logger().log(Level.INFO, this.peer + " read again; the send had"
                + " waited " + elapsed(stalledSinceNanos));
    }

    /**
     * Looked up when there is something to say, not held: a worker's connections are made on its way
     * to "ready", where setting up logging would cost every start.
     */
    private static System.Logger logger() {
        return System.getLogger(SocketConnection.class.getName());
    }

    private static String elapsed(long sinceNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
        return (millis < 10_000) ? millis + " ms" : (millis / 1000) + " s";
    }
}
