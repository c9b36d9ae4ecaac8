package io.ipcworkers.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.codec.MessageIds;
import org.jspecify.annotations.Nullable;

/**
 * A worker's unacknowledged messages in send order, since when the head has been running, and the
 * revocation outstanding. The worker handles messages one at a time in order, so the head is the
 * message it runs now. What the worker says about them is untrusted: an acknowledgement or a giving
 * back that does not fit the queue is an {@link IpcProtocolException}, and the queue is left as it was.
 * Guarded by its own monitor, which is never held while writing to the worker.
 */
final class InFlightQueue {

    private static final long[] NO_IDS = {};

    private final ArrayDeque<InFlight> messages = new ArrayDeque<>();

    private final WaitEstimates waits;

    /** When the head started running: when it was sent, or its predecessor acknowledged. */
    private volatile long headSinceNanos = System.nanoTime();

    /** The messages a REVOKE asked back until the worker answers, else null; written under this queue. */
    private volatile long @Nullable [] revoking;

    /** A request was cancelled while a REVOKE was outstanding: ask again once it is answered; under this queue. */
    private boolean withdrawAgain;

    InFlightQueue(WaitEstimates waits) {
        this.waits = waits;
    }

    /**
     * Adds a message about to be written.
     * @return whether it is the head: the worker was idle, and runs it once it is written
     */
    synchronized boolean add(InFlight message) {
        boolean head = this.messages.isEmpty();
        if (head) {
            // for supervision while the write lasts; routing's reading is taken once it is written
            this.headSinceNanos = System.nanoTime();
        }
        this.messages.add(message);
        return head;
    }

    /** Takes back a message whose write failed; false when the worker's exit has taken it already. */
    synchronized boolean remove(InFlight message) {
        return this.messages.remove(message);
    }

    /** The head's clock starts when it is written, if it is still the head then. */
    synchronized void written(InFlight head, long nowNanos) {
        if (this.messages.peekFirst() == head) {
            this.headSinceNanos = nowNanos;
        }
    }

    /**
     * Takes the message a REPLY or ERROR answers out of the queue.
     * @throws IpcProtocolException for a message not in the queue
     */
    synchronized InFlight answered(long id) {
        InFlight head = this.messages.peekFirst();
        if (head != null && head.id == id) {
            this.messages.pollFirst();
            headDone(1);
            return head;
        }
        for (Iterator<InFlight> it = this.messages.iterator(); it.hasNext();) {
            InFlight message = it.next();
            if (message.id == id) {
                it.remove();
                return message;
            }
        }
        throw notInQueue(id);
    }

    /**
     * Takes the messages an ACK acknowledges out of the queue. Acknowledgements are cumulative: the
     * worker handles messages in the order they were sent, so an ACK for one message acknowledges every
     * plain message sent before it too. A request is only ever answered by its own REPLY or ERROR, which
     * the worker sends after the ACKs before it.
     * @return how many were acknowledged
     * @throws IpcProtocolException for a message not in the queue, or one that would pass a request
     */
    synchronized int acknowledgedThrough(long id) {
        int count = 0;
        @Nullable InFlight passedRequest = null;
        boolean found = false;
        for (InFlight message : this.messages) {
            count++;
            if (message.isRequest() && passedRequest == null) {
                passedRequest = message;
            }
            if (message.id == id) {
                found = true;
                break;
            }
        }
        if (!found) {
            throw notInQueue(id);
        }
        if (passedRequest != null) {
            throw new IpcProtocolException("acknowledgement for message " + id + " covers request '"
                    + passedRequest.topic() + "', which has not been answered");
        }
        for (int i = 0; i < count; i++) {
            this.messages.pollFirst();
        }
        headDone(count);
        return count;
    }

    private static IpcProtocolException notInQueue(long id) {
        return new IpcProtocolException("acknowledgement for message " + id + ", which this worker does not have");
    }

    private void headDone(int count) {
        long now = System.nanoTime();
        this.waits.acknowledged(this.headSinceNanos, now, count);
        this.headSinceNanos = now;
    }

    /**
     * Notes a REVOKE of the ids {@code choice} picks (under this queue's monitor), unless a revocation is
     * outstanding, in which case {@code askAgainWhenAnswered} is remembered for {@link #givenBack}.
     * @return the ids to revoke; empty when none
     */
    synchronized long[] startRevoking(Supplier<long[]> choice, boolean askAgainWhenAnswered) {
        if (this.revoking != null) {
            this.withdrawAgain |= askAgainWhenAnswered;
            return NO_IDS;
        }
        long[] ids = choice.get();
        if (ids.length > 0) {
            this.revoking = ids;
        }
        return ids;
    }

    boolean isRevoking() {
        return this.revoking != null;
    }

    /**
     * The ids of the messages queued behind the head that may move to another worker (not pinned to
     * this one, not answered), the last ones first: a share as if they were spread over this worker and
     * {@code idleWorkers} others, or all of them when {@code all}. Called by {@link #startRevoking}'s choice.
     */
    synchronized long[] queuedShare(int idleWorkers, boolean all) {
        List<InFlight> movable = new ArrayList<>();
        Iterator<InFlight> queued = this.messages.iterator();
        if (queued.hasNext()) {
            queued.next(); // the head: running, or about to
        }
        while (queued.hasNext()) {
            InFlight message = queued.next();
            if (!message.pinned && !message.isAnswered()) {
                movable.add(message);
            }
        }
        // (n + 1) * k / (k + 1) is below n + 1: never more than there are
        int count = all ? movable.size() : (movable.size() * idleWorkers + idleWorkers) / (idleWorkers + 1);
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = movable.get(movable.size() - count + i).id;
        }
        return ids;
    }

    /** The ids of the requests whose callers have their answer already. Called by {@link #startRevoking}'s choice. */
    synchronized long[] answeredIds() {
        return this.messages.stream().filter(InFlight::isAnswered).mapToLong((message) -> message.id).toArray();
    }

    /** What a REVOKED frame gave back, and whether a withdrawal was asked for meanwhile. */
    record GivenBack(List<InFlight> messages, boolean askAgain) {
    }

    /**
     * Takes the messages a REVOKED frame gives back out of the queue, once each is checked against what
     * was asked for, and ends the revocation.
     * @throws IpcProtocolException for a message not asked for, given back twice, or acknowledged already
     */
    synchronized GivenBack givenBack(byte[] body) {
        long[] asked = this.revoking;
        if (asked == null) {
            throw new IpcProtocolException("REVOKED frame, but no message was revoked");
        }
        Set<Long> expected = new HashSet<>();
        for (long id : asked) {
            expected.add(id);
        }
        Set<Long> ids = new HashSet<>();
        for (long id : MessageIds.decode(body, asked.length)) {
            if (!expected.contains(id) || !ids.add(id)) {
                throw new IpcProtocolException("REVOKED frame giving back message " + id
                        + ", which was not revoked or was given back twice");
            }
        }
        List<InFlight> givenBack = new ArrayList<>();
        InFlight head = this.messages.peekFirst();
        for (InFlight message : this.messages) {
            if (ids.contains(message.id)) {
                givenBack.add(message);
            }
        }
        if (givenBack.size() != ids.size()) {
            throw new IpcProtocolException("REVOKED frame giving back a message that was acknowledged already");
        }
        this.messages.removeAll(givenBack);
        if (givenBack.contains(head)) {
            this.headSinceNanos = System.nanoTime();
        }
        this.revoking = null;
        boolean askAgain = this.withdrawAgain;
        this.withdrawAgain = false;
        return new GivenBack(givenBack, askAgain);
    }

    /**
     * Marks {@code running} as failing with {@code failure}, rather than going to another worker, if it
     * is still the head: not once it has been answered, so that the one after it is not failed in its place.
     * @return whether it was marked
     */
    synchronized boolean failHead(InFlight running, RuntimeException failure) {
        if (this.messages.peekFirst() != running) {
            return false;
        }
        running.failure = failure;
        return true;
    }

    /** The message running now, or null when the worker is idle. */
    synchronized @Nullable InFlight head() {
        return this.messages.peekFirst();
    }

    synchronized boolean contains(InFlight message) {
        return this.messages.contains(message);
    }

    synchronized boolean isEmpty() {
        return this.messages.isEmpty();
    }

    /**
     * Adds the unanswered requests whose deadline has passed to {@code due}.
     * @return nanoseconds until the earliest deadline still ahead, or {@link Long#MAX_VALUE} if none
     */
    synchronized long collectDueRequests(long now, List<InFlight> due) {
        long next = Long.MAX_VALUE;
        for (InFlight message : this.messages) {
            next = Math.min(next, RequestDeadlines.collectIfDue(message, now, due));
        }
        return next;
    }

    /** Empties the queue for good, when the worker is gone: what it had not acknowledged, in send order. */
    synchronized List<InFlight> drain() {
        List<InFlight> unacknowledged = new ArrayList<>(this.messages);
        this.messages.clear();
        return unacknowledged;
    }

    long headSinceNanos() {
        return this.headSinceNanos;
    }

    /** Restarts the head's clock: its run time until now was not the worker's (the parent held it back). */
    void restartHeadClock(long nowNanos) {
        this.headSinceNanos = nowNanos;
    }
}
