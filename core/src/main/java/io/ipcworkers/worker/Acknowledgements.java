package io.ipcworkers.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import org.jspecify.annotations.Nullable;

/**
 * A pool worker's acknowledgements, coalesced. The worker handles messages one at a time in the
 * order they were sent, so one ACK frame naming a message says that it and every message sent before
 * it have been handled: one frame back per batch instead of one per message.
 *
 * <p>What has been handled is told the parent before this worker waits for more messages, before it
 * sends a reply or error, once {@value #MAX_PENDING} are pending (written at once rather than batched:
 * a sender in the parent may be waiting for that room, and a batch would wait for this connection's
 * flusher thread to wake), once the oldest has waited {@value #MAX_DELAY_MILLIS} ms, and by the
 * heartbeat thread while a listener runs long: the parent takes the oldest message it has not heard
 * of as the one running, and must not blame a finished one for a listener that hangs.
 */
final class Acknowledgements {

    static final int MAX_PENDING = 64;

    static final long MAX_DELAY_MILLIS = 1;

    private static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS);

    /** Past this many pending, how often {@link #handled} looks at the clock. */
    static final int DELAY_CHECK_EVERY = 8;

    private final ConnectedParentProcess parent;

    /** The last message handled and not yet acknowledged; guarded by this. */
    private long lastHandled;

    private int pending;

    private long oldestPendingNanos;

    /**
     * The heartbeat thread while it sleeps until its next beat, to be woken when one becomes pending or
     * a message is taken; volatile, as the serving loop looks at it without the lock on every message.
     */
    private volatile @Nullable Thread sleepingWatcher;

    Acknowledgements(ConnectedParentProcess parent) {
        this.parent = parent;
    }

    /**
     * Records that a message has been handled; sends the acknowledgement if enough have waited. The
     * clock is read for the first pending message, for each of the next few and then for every
     * {@value #DELAY_CHECK_EVERY}th: a quick stream reads it a few times per acknowledgement instead of
     * per message (a tenth of a pool worker's time per message went on it), and the delay holds to
     * within the time of a few messages.
     */
    synchronized void handled(long correlationId) {
        this.lastHandled = correlationId;
        int pending = ++this.pending;
        if (pending == 1) {
            this.oldestPendingNanos = System.nanoTime();
            wakeWatcher(); // this listener may run long: the heartbeat thread must look in time
        }
        else if (pending >= MAX_PENDING) {
            this.pending = 0;
            this.parent.send(FrameType.ACK, 0, this.lastHandled, FrameWriter.BodyWriter.EMPTY);
        }
        else if ((pending < DELAY_CHECK_EVERY || pending % DELAY_CHECK_EVERY == 0)
                && System.nanoTime() - this.oldestPendingNanos >= MAX_DELAY_NANOS) {
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

    /**
     * For the serving loop once it has taken a message: wakes the heartbeat thread if it sleeps until its
     * next beat, so that should this listener run long, what the parent sends meanwhile (a cancelled
     * request's interrupt, a revoke, more messages) is read ahead from now on, not from that beat. The
     * loop writes its count of messages taken before it looks (see {@link Heartbeat}).
     */
    void messageTaken() {
        if (this.sleepingWatcher != null) {
            synchronized (this) {
                wakeWatcher();
            }
        }
    }

    private void wakeWatcher() {
        Thread watcher = this.sleepingWatcher;
        if (watcher != null) {
            this.sleepingWatcher = null;
            LockSupport.unpark(watcher);
        }
    }

    /**
     * For the heartbeat thread before it sleeps: whether an acknowledgement is pending, so that it should
     * look again soon. If none is, the calling thread is woken when one becomes pending or the serving loop
     * takes a message ({@link #messageTaken}); an idle worker's heartbeat thread then sleeps until its next
     * beat instead of checking every few milliseconds.
     */
    synchronized boolean pendingElseWakeOnNext() {
        if (this.pending > 0) {
            return true;
        }
        this.sleepingWatcher = Thread.currentThread();
        return false;
    }

    /** Sends what is pending if it has waited longer than the delay; for the heartbeat thread. */
    synchronized void sendIfLate() {
        if (this.pending > 0 && System.nanoTime() - this.oldestPendingNanos >= MAX_DELAY_NANOS) {
            send();
        }
    }
}
