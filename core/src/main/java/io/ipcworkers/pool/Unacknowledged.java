package io.ipcworkers.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import io.ipcworkers.IpcException;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.launch.LaunchedChild;

/**
 * Settles the messages a dead worker had not acknowledged, so that none is lost silently: by the
 * pool's delivery mode they are failed (the request's future fails naming the worker, its exit code
 * and stderr; a plain send becomes a dead letter) or redelivered to another worker, at most
 * {@code maxRedeliveries} times, after which they are dead letters too. A dead worker's messages are
 * redelivered one after another, in the order it was given them, on one of the pool's threads: a pool of
 * one worker keeps its order through a crash, and a worker that dies holding hundreds of messages takes
 * one thread and one of the pool's {@code max-waiting} places, not one each.
 */
final class Unacknowledged {

    private final WorkerPool pool;

    Unacknowledged(WorkerPool pool) {
        this.pool = pool;
    }

    void settle(PoolWorker worker, LaunchedChild.ExitReport report, List<InFlight> messages, boolean stopping) {
        PoolSettings.DeliveryPolicy delivery = this.pool.settings().delivery();
        UnclaimedDeadLetters unclaimed = new UnclaimedDeadLetters(this.pool.name());
        boolean neverStarted = false;
        List<InFlight> redeliveries = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            InFlight message = messages.get(i);
            // The worker ran its messages in order and wrote out its answers before running a redelivered
            // one (Frame.FLAG_REDELIVERED), so one that came redelivered behind the first unacknowledged,
            // and every one after it, never started: this death was not theirs to count.
            neverStarted |= i > 0 && message.deliveries > 1;
            if (message.isAnswered()) {
                continue; // timed out already: the caller has its answer
            }
            if (stopping) {
                giveUp(message, new PoolUnavailableException("Pool '" + this.pool.name() + "' stopped before "
                        + worker.describeLowercase() + " handled '" + message.topic() + "'"), false, unclaimed);
            }
            else if (message.failure != null) {
                giveUp(message, message.failure, false, unclaimed);
            }
            else if (delivery.mode() == PoolSettings.DeliveryMode.REDELIVER) {
                if (neverStarted) {
                    message.deliveries--;
                }
                if (message.deliveries > delivery.maxRedeliveries()) {
                    giveUp(message, exited(worker, report, message, " after " + message.deliveries
                            + " deliveries; not redelivered again (max-redeliveries " + delivery.maxRedeliveries()
                            + ")"), true, unclaimed);
                }
                else {
                    this.pool.deadlines().redelivering(message);
                    redeliveries.add(message);
                }
            }
            else {
                giveUp(message, exited(worker, report, message, ""), false, unclaimed);
            }
        }
        if (!redeliveries.isEmpty()) {
            redeliverOnAPoolThread(redeliveries, worker, report, unclaimed);
        }
        unclaimed.log();
    }

    private void redeliverOnAPoolThread(List<InFlight> redeliveries, PoolWorker worker, LaunchedChild.ExitReport report,
            UnclaimedDeadLetters unclaimed) {
        try {
            this.pool.executor().execute(() -> redeliverInOrder(redeliveries));
        }
        catch (RejectedExecutionException ex) {
            // the pools closed since this death was judged: no thread is left to hand them on, nor timer to end them
            for (InFlight message : redeliveries) {
                this.pool.deadlines().redelivered(message);
                giveUp(message, new PoolUnavailableException("Pool '" + this.pool.name() + "' was closed before '"
                        + message.topic() + "' could be redelivered (" + worker.describeLowercase() + " "
                        + report.state() + ")"), false, unclaimed);
            }
        }
    }

    /**
     * Each message waits for room in turn, all of them up to one acquire timeout from now: as long as
     * each would have waited on a thread of its own.
     */
    private void redeliverInOrder(List<InFlight> messages) {
        long deadline = System.nanoTime() + this.pool.acquireTimeoutNanos();
        for (InFlight message : messages) {
            try {
                this.pool.redeliver(message, deadline);
            }
            catch (IpcException ex) {
                giveUp(message, ex);
            }
            catch (RuntimeException ex) { // not expected: it would otherwise strand the messages after it
                giveUp(message, new IpcException("Message '" + message.topic() + "' of pool '" + this.pool.name()
                        + "' could not be redelivered: " + ex, ex));
            }
            finally {
                this.pool.deadlines().redelivered(message);
            }
        }
    }

    /** Gives up a message that could not be handed to any worker, as a redelivery that failed is. */
    void giveUp(InFlight message, IpcException why) {
        UnclaimedDeadLetters unclaimed = new UnclaimedDeadLetters(this.pool.name());
        giveUp(message, why, true, unclaimed);
        unclaimed.log();
    }

    private static ProcessExitedException exited(PoolWorker worker, LaunchedChild.ExitReport report,
            InFlight message, String suffix) {
        String kind = message.isRequest() ? "request" : "message";
        return worker.launched().exitedException("while " + kind + " '" + message.topic() + "' was in flight" + suffix,
                report);
    }

    /**
     * A request's future fails; a plain send, or any message given up for good, also becomes a dead
     * letter, so no message disappears without a trace; one no listener takes joins {@code unclaimed}.
     */
    private void giveUp(InFlight message, RuntimeException why, boolean deadLetterRequests,
            UnclaimedDeadLetters unclaimed) {
        if (message.reply != null) {
            message.reply.completeExceptionally(why);
            if (!deadLetterRequests) {
                return;
            }
        }
        String reason = String.valueOf(why.getMessage());
        if (!this.pool.handOverDeadLetter(message, reason)) {
            unclaimed.add(message.topic(), reason);
        }
    }
}
