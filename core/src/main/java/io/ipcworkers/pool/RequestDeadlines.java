package io.ipcworkers.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.IpcTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Fails a pool's requests that got no reply by their deadline. One timer per pool does: armed at
 * the earliest deadline among the requests outstanding, it fails what is due and arms itself again
 * for the next. A timer per request, created and cancelled under the scheduler's lock, cost about a
 * sixth of the parent's CPU per pipelined request. Requests with the pool's timeout come due in the
 * order of their calls, which is the order sent but for a caller overtaken while it waited for room,
 * so the timer is armed again only when it has fired; a request with an earlier deadline (such a
 * caller's, or a shorter timeout of its own) arms it for that deadline as well.
 * <p>
 * Outstanding requests are found where they already are, so nothing here grows with the request
 * rate: in a worker's in-flight queue (bounded by {@code max-in-flight}), or between a dead worker
 * and the one it is redelivered to.
 */
final class RequestDeadlines implements Runnable {

    private static final long NOT_ARMED = Long.MIN_VALUE;

    private final WorkerPool pool;

    private final ScheduledExecutorService scheduler;

    /** When the timer will fire, as a {@link System#nanoTime()}; {@link #NOT_ARMED} once it has. Written under this. */
    private volatile long armedFor = NOT_ARMED;

    /** The timer pending; guarded by this. */
    private @Nullable ScheduledFuture<?> timer;

    private final Set<InFlight> redelivering = ConcurrentHashMap.newKeySet();

    RequestDeadlines(WorkerPool pool, ScheduledExecutorService scheduler) {
        this.pool = pool;
        this.scheduler = scheduler;
    }

    /** A message is in a worker's in-flight queue now: if it is a request, the timer is to run by its deadline. */
    void watch(InFlight request) {
        // queued before this check, so a sweep that disarmed the timer after it either saw the
        // request or is followed by this caller arming the timer again
        if (request.isRequest()) {
            armBy(request.deadlineNanos);
        }
    }

    /**
     * Makes sure the timer fires by the deadline: armed to fire no later, it does (one volatile read,
     * the way of every request with the pool's timeout); otherwise it is armed for the deadline, and
     * a timer armed for later is cancelled, so that one timer stays pending, not one per such request.
     */
    private void armBy(long deadlineNanos) {
        if (firesBy(deadlineNanos)) {
            return;
        }
        synchronized (this) {
            if (firesBy(deadlineNanos)) {
                return;
            }
            ScheduledFuture<?> later = this.timer;
            if (later != null) {
                later.cancel(false);
            }
            this.armedFor = deadlineNanos;
            this.timer = arm(deadlineNanos - System.nanoTime());
        }
    }

    private boolean firesBy(long deadlineNanos) {
        long armed = this.armedFor;
        return armed != NOT_ARMED && armed - deadlineNanos <= 0;
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
        synchronized (this) {
            this.armedFor = NOT_ARMED;
            this.timer = null;
        }
        long now = System.nanoTime();
        List<InFlight> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (PoolWorker worker : this.pool.allWorkers()) {
            next = Math.min(next, worker.collectDueRequests(now, due));
        }
        for (InFlight request : this.redelivering) {
            next = Math.min(next, collectIfDue(request, now, due));
        }
        if (next != Long.MAX_VALUE) {
            armBy(now + next);
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
            this.pool.executor().execute(() -> {
                fail(due);
                interruptIfChosen(due);
            });
        }
        catch (RejectedExecutionException ex) {
            fail(due); // the pools are closing
        }
    }

    private void fail(List<InFlight> due) {
        for (InFlight request : due) {
            request.reply.completeExceptionally(new IpcTimeoutException("Request '" + request.topic() + "' to pool '"
                    + this.pool.name() + "' got no reply within " + request.timeout));
        }
    }

    /**
     * With {@code interrupt-timed-out-requests}, a worker running a request that timed out is asked to
     * interrupt its listener ({@link MessageRecall#interrupt}): nobody waits for its answer any more.
     */
    private void interruptIfChosen(List<InFlight> due) {
        if (!this.pool.settings().interruptTimedOutRequests()) {
            return;
        }
        for (InFlight request : due) {
            PoolWorker holder = this.pool.holderOf(request); // none while it waits to be redelivered
            if (holder != null) {
                holder.recall().interrupt(request);
            }
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

    private @Nullable ScheduledFuture<?> arm(long delayNanos) {
        try {
            return this.scheduler.schedule(this, Math.max(delayNanos, 0), TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException ex) {
            return null; // the pools are closing: stopping fails whatever is still outstanding
        }
    }
}
