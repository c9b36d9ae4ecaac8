package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.ipcworkers.IpcException;
import org.jspecify.annotations.Nullable;

/**
 * Moves queued messages to a worker that has none. Routing places each message once, when it is
 * sent; a worker that joins later (a crashed one's replacement, a recycled one's) or finishes its
 * queue early would otherwise stay idle while another works through a queue of long jobs, some of
 * them perhaps redelivered from a dead worker. So when a worker has nothing in flight and another has
 * messages queued behind a listener that runs long (or the pool's messages typically take long),
 * the busy worker is asked to give back a share of its queue ({@link PoolWorker#revokeQueued}); what it
 * has not started yet comes back ({@code REVOKED}) and is routed again like a new message. A worker
 * reads ahead only while a listener runs long, so only then is anything given back; a queue of quick
 * messages stays where it is.
 * <p>
 * Least-busy pools of more than one worker only: round robin promises turns, not waits. A message
 * moved keeps its deadline and is not counted as sent again, nor as redelivered.
 */
final class Rebalancer implements Runnable {

    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /** A typical time at least this long makes a queue worth moving even before its head runs long. */
    static final long LONG_TYPICAL_NANOS = WaitEstimates.LONG_RUNNING_SLACK_NANOS;

    private final WorkerPool pool;

    private final boolean enabled;

    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** Messages given back and not yet with another worker. */
    private final AtomicInteger moving = new AtomicInteger();

    /** Messages given back so far. */
    private final AtomicLong moved = new AtomicLong();

    Rebalancer(WorkerPool pool, boolean enabled) {
        this.pool = pool;
        this.enabled = enabled;
    }

    /**
     * A worker has nothing in flight now, or joined the pool, or time passed: if some worker might
     * give messages, the pool's executor looks closer. Called on reader threads as a worker goes idle,
     * so this look reads no clock and makes nothing.
     */
    void check() {
        if (this.enabled && hasDonor()) {
            schedule();
        }
    }

    private boolean hasDonor() {
        long typical = this.pool.waitEstimates().typicalNanos();
        AtomicReferenceArray<@Nullable PoolWorker> slots = this.pool.slots();
        for (int i = 0; i < slots.length(); i++) {
            PoolWorker worker = slots.get(i);
            if (worker != null && mayGive(worker, typical >= LONG_TYPICAL_NANOS || worker.isRunningLong())) {
                return true;
            }
        }
        for (PoolWorker worker : this.pool.retiringWorkers()) {
            if (mayGive(worker, true)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mayGive(PoolWorker worker, boolean worthIt) {
        return worthIt && worker.inFlight() >= 2 && !worker.isRevoking() && !worker.isClosed();
    }

    private void schedule() {
        if (this.scheduled.compareAndSet(false, true)) {
            try {
                this.pool.executor().execute(this);
            }
            catch (RejectedExecutionException ex) {
                this.scheduled.set(false); // the pools are closed
            }
        }
    }

    /** Asks the worker whose queue is the longest wait to give back a share of it, if any worker is idle. */
    @Override
    public void run() {
        this.scheduled.set(false);
        if (this.pool.state() != WorkerPool.State.RUNNING || this.moving.get() > 0) {
            return; // those on their way may well go to the idle workers: their arrival prompts another look
        }
        int idle = 0;
        for (PoolWorker worker : this.pool.usableWorkers()) {
            if (worker.inFlight() == 0) {
                idle++;
            }
        }
        if (idle == 0) {
            return;
        }
        long now = System.nanoTime();
        boolean longTypical = this.pool.waitEstimates().typicalNanos() >= LONG_TYPICAL_NANOS;
        PoolWorker donor = null;
        double longest = -1;
        for (PoolWorker worker : this.pool.allWorkers()) {
            boolean leaving = worker.isRetiring();
            if (!mayGive(worker, leaving || longTypical || worker.isRunningLongAt(now))) {
                continue;
            }
            double wait = leaving ? Double.MAX_VALUE : worker.estimatedWait(worker.inFlight(), now);
            if (wait > longest) {
                donor = worker;
                longest = wait;
            }
        }
        if (donor != null) {
            donor.revokeQueued(idle);
        }
    }

    /**
     * Routes again the messages {@code from} gave back, in their order, on the pool's executor. One
     * that finds no worker (the pool stopped, or every worker stayed full for the acquire timeout)
     * goes back to {@code from} if it still takes messages, and fails as a dead worker's would if not.
     */
    void move(PoolWorker from, List<InFlight> messages) {
        this.moving.addAndGet(messages.size());
        this.moved.addAndGet(messages.size());
        logger.log(Level.DEBUG, () -> from + " gave back " + messages.size() + " queued messages; routing them again");
        for (InFlight message : messages) {
            this.pool.deadlines().redelivering(message);
        }
        try {
            this.pool.executor().execute(() -> {
                for (InFlight message : messages) {
                    moveOne(from, message);
                }
            });
        }
        catch (RejectedExecutionException ex) {
            for (InFlight message : messages) {
                moveOne(from, message); // the pools are closed: this fails them at once
            }
        }
    }

    private void moveOne(PoolWorker from, InFlight message) {
        try {
            if (!message.isAnswered()) { // a request that timed out meanwhile: its caller has its answer
                this.pool.move(message);
            }
        }
        catch (RuntimeException ex) {
            try {
                from.deliverUnreserved(message);
                this.pool.deadlines().watch(message);
            }
            catch (RuntimeException again) {
                this.pool.unacknowledged().giveUp(message, (ex instanceof IpcException ipc) ? ipc
                        : new IpcException("Could not hand '" + message.topic() + "' to another worker", ex));
            }
        }
        finally {
            this.pool.deadlines().redelivered(message);
            boolean last = this.moving.decrementAndGet() == 0; // before it leaves the count in flight: see moving()
            from.release();
            if (last) {
                check();
            }
        }
    }

    /**
     * Messages given back and not yet with another worker. They stay in the count of messages in flight
     * of the worker that gave them back until they are with another (so the pool's count neither misses
     * them nor counts them twice for longer than a delivery), and are counted here too, for a pool that
     * stops meanwhile: it waits for them also when that worker has left.
     */
    int moving() {
        return this.moving.get();
    }

    /** Messages given back so far; for tests. */
    long moved() {
        return this.moved.get();
    }
}
