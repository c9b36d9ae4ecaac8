package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 * messages queued behind one that has run for {@link #LONG_HEAD_NANOS} or more, the busy worker is
 * asked to give back a share of its queue ({@link MessageRecall#revokeQueued}); what it has not started
 * yet comes back ({@code REVOKED}) and is routed again like a new message. A worker leaving the pool
 * is asked for all of its queue, whatever it runs.
 * <p>
 * The bar is an age, not a comparison with the pool's typical time: a stream's heads look older than
 * they are whenever a worker is not scheduled for a while, by tens of milliseconds on a loaded
 * machine, and a pool's typical time starts out at its first, slowest messages; moving a stream's
 * queue for either only costs. A worker reads ahead only while a listener runs long, so a queue
 * behind quick listeners would mostly not be given back anyway.
 * <p>
 * Least-busy pools of more than one worker only: round robin promises turns, not waits. A message
 * moved keeps its deadline and is not counted as sent again, nor as redelivered.
 */
final class Rebalancer implements Runnable {

    private static final System.Logger logger = System.getLogger(WorkerPool.class.getName());

    /** How long a worker's current message must have run for its queue to be shared. */
    static final long LONG_HEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** The typical time per message from which a worker going idle prompts a look at once. */
    static final long IDLE_LOOK_TYPICAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final WorkerPool pool;

    private final boolean enabled;

    private final AtomicBoolean scheduled = new AtomicBoolean();

    private final AtomicBoolean lookingLater = new AtomicBoolean();

    private final Runnable lookAgain = this::lookAgain;

    /** Messages given back and not yet with another worker. */
    private final AtomicInteger moving = new AtomicInteger();

    /** Messages given back so far. */
    private final AtomicLong moved = new AtomicLong();

    Rebalancer(WorkerPool pool, boolean enabled) {
        this.pool = pool;
        this.enabled = enabled;
    }

    /**
     * A worker has nothing left in flight (its last request answered, or its last sends acknowledged):
     * a look at once, if the pool's messages typically take {@link #IDLE_LOOK_TYPICAL_NANOS} or more, so
     * that a quick stream, whose workers run dry between batches, does not look each time.
     */
    void workerIdle() {
        if (this.enabled && this.pool.waitEstimates().typicalNanos() >= IDLE_LOOK_TYPICAL_NANOS) {
            check();
        }
    }

    /**
     * A worker joined the pool, or time passed, or one went idle: if some worker may give messages,
     * the pool's executor looks closer; if one will once its current message has run long enough, this
     * looks again then. It only reads the clock and the workers' counts.
     */
    void check() {
        if (!this.enabled) {
            return;
        }
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        AtomicReferenceArray<@Nullable PoolWorker> slots = this.pool.slots();
        for (int i = 0; i < slots.length(); i++) {
            PoolWorker worker = slots.get(i);
            if (worker != null && mayGive(worker)) {
                if (givesNow(worker, now)) {
                    schedule();
                    return;
                }
                soonest = Math.min(soonest, LONG_HEAD_NANOS - worker.headRunningNanos(now));
            }
        }
        for (PoolWorker worker : this.pool.retiringWorkers()) {
            if (givesNow(worker, now)) {
                schedule();
                return;
            }
        }
        if (soonest != Long.MAX_VALUE) {
            lookLater(soonest);
        }
    }

    private static boolean mayGive(PoolWorker worker) {
        return worker.inFlight() >= 2 && !worker.recall().isRevoking() && !worker.isClosed();
    }

    /** Whether a worker's queue is to be shared now: it leaves the pool, or its head has run long enough. */
    private static boolean givesNow(PoolWorker worker, long nowNanos) {
        return mayGive(worker) && (worker.isRetiring() || worker.headRunningNanos(nowNanos) >= LONG_HEAD_NANOS);
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

    /** One look at a time is arranged: a stream's workers go idle often, each time with a queue elsewhere. */
    private void lookLater(long delayNanos) {
        if (this.lookingLater.compareAndSet(false, true)) {
            try {
                this.pool.scheduler().schedule(this.lookAgain, delayNanos, TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException ex) {
                this.lookingLater.set(false);
            }
        }
    }

    private void lookAgain() {
        this.lookingLater.set(false);
        check();
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
        PoolWorker donor = null;
        double longest = -1;
        for (PoolWorker worker : this.pool.allWorkers()) {
            if (!givesNow(worker, now)) {
                continue;
            }
            double wait = worker.isRetiring() ? Double.MAX_VALUE : worker.estimatedWait(worker.inFlight(), now);
            if (wait > longest) {
                donor = worker;
                longest = wait;
            }
        }
        if (donor != null) {
            donor.recall().revokeQueued(idle);
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
        this.pool.listener().messagesMoved(this.pool.name(), messages.size());
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

    /** Messages given back so far. */
    long moved() {
        return this.moved.get();
    }
}
