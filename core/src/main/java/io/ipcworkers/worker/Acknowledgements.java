package io.ipcworkers.worker;

import java.util.concurrent.TimeUnit;

import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;

/**
 * A pool worker's acknowledgements, coalesced. The worker handles messages one at a time in the
 * order they were sent, so one ACK frame naming a message says that it and every message sent before
 * it have been handled: one frame back per batch instead of one per message.
 *
 * <p>What has been handled is told the parent before this worker waits for more messages, before it
 * sends a reply or error, once {@value #MAX_PENDING} are pending or the oldest has waited
 * {@value #MAX_DELAY_MILLIS} ms, and by the heartbeat thread while a listener runs long: the parent
 * takes the oldest message it has not heard of as the one running, and must not blame a finished
 * one for a listener that hangs.
 */
final class Acknowledgements {

    static final int MAX_PENDING = 64;

    static final long MAX_DELAY_MILLIS = 1;

    private static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS);

    private final ConnectedParentProcess parent;

    /** The last message handled and not yet acknowledged; guarded by this. */
    private long lastHandled;

    private int pending;

    private long oldestPendingNanos;

    Acknowledgements(ConnectedParentProcess parent) {
        this.parent = parent;
    }

    /** Records that a message has been handled; sends the acknowledgement if enough have waited. */
    synchronized void handled(long correlationId) {
        long now = System.nanoTime();
        if (this.pending == 0) {
            this.oldestPendingNanos = now;
        }
        this.lastHandled = correlationId;
        this.pending++;
        if (this.pending >= MAX_PENDING || now - this.oldestPendingNanos >= MAX_DELAY_NANOS) {
            send();
        }
    }

    /** Sends what is pending, batched with whatever this worker sends next. */
    synchronized void send() {
        if (this.pending > 0) {
            this.pending = 0; // first: a failed send is the parent gone, and must not be retried
            this.parent.sendBatched(FrameType.ACK, 0, this.lastHandled, FrameWriter.BodyWriter.EMPTY);
        }
    }

    /** Sends what is pending if it has waited longer than the delay; for the heartbeat thread. */
    synchronized void sendIfLate() {
        if (this.pending > 0 && System.nanoTime() - this.oldestPendingNanos >= MAX_DELAY_NANOS) {
            send();
        }
    }
}
