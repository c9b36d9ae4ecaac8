package io.ipcworkers.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.ipcworkers.IpcTimeoutException;

/**
 * Fails a pool's requests that got no reply within the request timeout. Every request of a pool has
 * the same timeout, so one timer per pool does: armed at the earliest deadline among the requests
 * outstanding, it fails what is due and arms itself again for the next. A timer per request, created
 * and cancelled under the scheduler's lock, cost about a sixth of the parent's CPU per pipelined request.
 * <p>
 * Outstanding requests are found where they already are, so nothing here grows with the request
 * rate: in a worker's in-flight queue (bounded by {@code max-in-flight}), or between a dead worker
 * and the one it is redelivered to.
 */
final class RequestDeadlines implements Runnable {

    private final WorkerPool pool;

    private final ScheduledExecutorService scheduler;

    private final AtomicBoolean armed = new AtomicBoolean();

    private final Set<InFlight> redelivering = ConcurrentHashMap.newKeySet();

    RequestDeadlines(WorkerPool pool, ScheduledExecutorService scheduler) {
        this.pool = pool;
        this.scheduler = scheduler;
    }

    /** A message is in a worker's in-flight queue now: if it is a request, the timer is to run by its deadline. */
    void watch(InFlight request) {
        // queued before this check, so a sweep that disarmed the timer after it either saw the
        // request or is followed by this caller arming the timer again
        if (request.isRequest() && !this.armed.get() && this.armed.compareAndSet(false, true)) {
            arm(request.deadlineNanos - System.nanoTime());
        }
    }

    /** A message left its dead worker and waits to be handed to another one; only requests are kept. */
    void redelivering(InFlight request) {
        if (request.isRequest()) {
            this.redelivering.add(request);
            watch(request);
        }
    }

    /** The message was redelivered, or given up. */
    void redelivered(InFlight request) {
        this.redelivering.remove(request);
    }

    /** Requests between a dead worker and the next one; for tests. */
    int awaitingRedelivery() {
        return this.redelivering.size();
    }

    @Override
    public void run() {
        this.armed.set(false);
        long now = System.nanoTime();
        List<InFlight> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (PoolWorker worker : this.pool.allWorkers()) {
            next = Math.min(next, worker.collectDueRequests(now, due));
        }
        for (InFlight request : this.redelivering) {
            next = Math.min(next, collectIfDue(request, now, due));
        }
        if (next != Long.MAX_VALUE && this.armed.compareAndSet(false, true)) {
            arm(next);
        }
        if (!due.isEmpty()) {
            failLater(due);
        }
    }

    /**
     * Failing a request runs the caller's callbacks on the failing thread: not on this timer's, which
     * every pool's supervision shares and which a callback that blocks would stall.
     */
    private void failLater(List<InFlight> due) {
        try {
            this.pool.executor().execute(() -> fail(due));
        }
        catch (RejectedExecutionException ex) {
            fail(due); // the pools are closing
        }
    }

    private void fail(List<InFlight> due) {
        for (InFlight request : due) {
            request.reply.completeExceptionally(new IpcTimeoutException("Request '" + request.topic() + "' to pool '"
                    + this.pool.name() + "' got no reply within " + this.pool.settings().requestTimeout()));
        }
    }

    /**
     * Adds the request to {@code due} if its deadline has passed and it is still unanswered.
     * @return nanoseconds until its deadline if it is still to be watched, else {@link Long#MAX_VALUE}
     */
    static long collectIfDue(InFlight request, long now, List<InFlight> due) {
        if (!request.isRequest() || request.isAnswered()) {
            return Long.MAX_VALUE;
        }
        long remaining = request.deadlineNanos - now;
        if (remaining <= 0) {
            due.add(request);
            return Long.MAX_VALUE;
        }
        return remaining;
    }

    private void arm(long delayNanos) {
        try {
            this.scheduler.schedule(this, Math.max(delayNanos, 0), TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            // the pools are closing: stopping fails whatever is still outstanding
        }
    }
}
