package io.ipcworkers.pool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.codec.MessageIds;

/**
 * Takes back messages one worker holds and has not started: asks it to give back some of its queue
 * for idle workers ({@code REVOKE}), or the requests whose callers no longer wait, or to interrupt a
 * request's listener ({@code INTERRUPT}); and passes on what it gives back ({@code REVOKED}). Every
 * message it asks about was written before its question, under the worker's send order.
 */
final class MessageRecall {

    private final PoolWorker worker;

    private final InFlightQueue inFlight;

    /** The worker's send order: what a question names is on the wire before the question. */
    private final ReentrantLock sendOrder;

    MessageRecall(PoolWorker worker, InFlightQueue inFlight, ReentrantLock sendOrder) {
        this.worker = worker;
        this.inFlight = inFlight;
        this.sendOrder = sendOrder;
    }

    /**
     * Asks the worker to give back messages queued behind the one it runs, the last ones first, so
     * that idle workers can take them ({@link Rebalancer}): of those it may give (not its head, not
     * pinned to it, not answered), a share as if they were spread over it and {@code idleWorkers}
     * others, or all of them when it is leaving the pool. At most one revocation is outstanding.
     * @return how many messages it was asked for
     */
    int revokeQueued(int idleWorkers) {
        return revoke(() -> this.inFlight.queuedShare(idleWorkers, this.worker.isRetiring()), false);
    }

    /**
     * Asks the worker not to run the requests in its queue whose callers have their answer already
     * (cancelled, or past their timeout): it gives back those it has read ahead and not started, and
     * they are dropped ({@link #givenBack}); the others it runs, or skips when past their deadline, as
     * before. With a revocation outstanding, it asks once that is answered. Not on a reader thread: it
     * may wait for this worker's send order.
     */
    void withdrawAbandoned() {
        revoke(this.inFlight::answeredIds, true);
    }

    /**
     * Sends one {@code REVOKE} of the ids {@code choice} picks (under the in-flight queue's monitor),
     * unless the worker is closed or a revocation is outstanding, in which case {@code askAgainWhenAnswered}
     * has {@link #withdrawAbandoned} run once that one is answered.
     * @return how many messages it asked for
     */
    private int revoke(Supplier<long[]> choice, boolean askAgainWhenAnswered) {
        long[] ids;
        this.sendOrder.lock(); // so that every message listed is on the wire before the REVOKE
        try {
            if (this.worker.isClosed()) {
                return 0;
            }
            ids = this.inFlight.startRevoking(choice, askAgainWhenAnswered);
            if (ids.length == 0) {
                return 0;
            }
            // batched: a worker whose socket is full would otherwise hold this thread until it reads
            this.worker.launched().connection().sendBatched(FrameType.REVOKE, 0, 0,
                    FrameWriter.BodyWriter.of(MessageIds.encode(ids)));
            return ids.length;
        }
        catch (IOException ex) {
            return 0; // gone: its exit settles its messages, the listed ones included
        }
        finally {
            this.sendOrder.unlock();
        }
    }

    boolean isRevoking() {
        return this.inFlight.isRevoking();
    }

    /**
     * Asks the worker to interrupt the listener of this request if it is running it, or not to start
     * it: its caller cancelled it with {@code cancel(true)}, or it timed out in a pool set to interrupt
     * those. Not answered; the listener's own answer, when it returns, frees the request's place. Not
     * on a reader thread, as {@link #withdrawAbandoned}.
     */
    void interrupt(InFlight request) {
        this.sendOrder.lock(); // the request is on the wire before the INTERRUPT that names it
        try {
            if (this.worker.isClosed() || !this.inFlight.contains(request)) {
                return; // answered meanwhile, or gone
            }
            this.worker.launched().connection().sendBatched(FrameType.INTERRUPT, 0, 0,
                    FrameWriter.BodyWriter.of(MessageIds.encode(new long[] { request.id })));
        }
        catch (IOException ex) {
            // gone: its exit settles its messages
        }
        finally {
            this.sendOrder.unlock();
        }
    }

    /**
     * The worker gave back messages it was asked to ({@code REVOKED}, on its reader thread): they leave
     * its queue for another worker, or for good when their caller no longer waits
     * ({@link #withdrawAbandoned}). Each must be one asked for and still in the queue, or the worker is
     * lying, and is killed for it.
     */
    void givenBack(byte[] body) {
        InFlightQueue.GivenBack givenBack = this.inFlight.givenBack(body);
        if (givenBack.askAgain()) {
            try {
                // a reader thread must not take the send order
                this.worker.owner().executor().execute(this::withdrawAbandoned);
            }
            catch (RejectedExecutionException ex) {
                // the pools are closed: the worker is stopping with them
            }
        }
        passOn(givenBack.messages());
    }

    /**
     * Drops the given-back messages whose callers have their answer (they never run) and hands the
     * others to the rebalancer for another worker.
     */
    private void passOn(List<InFlight> givenBack) {
        List<InFlight> toMove = new ArrayList<>(givenBack.size());
        int dropped = 0;
        for (InFlight message : givenBack) {
            if (message.isAnswered()) {
                dropped++; // its caller cancelled it or stopped waiting: it never runs
            }
            else {
                message.deliveries--; // it never ran here
                toMove.add(message);
            }
        }
        if (dropped > 0) {
            this.worker.dropped(dropped);
        }
        if (!toMove.isEmpty()) {
            // each stays in the worker's count until it is with another
            this.worker.owner().rebalancer().move(this.worker, toMove);
        }
    }
}
