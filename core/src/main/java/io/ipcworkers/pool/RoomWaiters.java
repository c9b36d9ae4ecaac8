package io.ipcworkers.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import io.ipcworkers.IpcException;
import io.ipcworkers.PoolUnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * The callers of one pool that wait for a worker with room: how many may wait, how they wait, and
 * what wakes them. Anything that may give a waiting caller its chance (room freed, a worker added or
 * gone, the pool's state changed) calls {@link #changed()}; that counts as a change, so a caller that
 * looked just before it tries again instead of sleeping through it.
 */
final class RoomWaiters {

    private final WorkerPool pool;

    private final AtomicReferenceArray<@Nullable PoolWorker> workers;

    private final Object monitor = new Object();

    private volatile int waiting;

    /** Counts the changes waiting callers are woken for: one that reads a worker for room stops at the next. */
    private final AtomicLong changes = new AtomicLong();

    RoomWaiters(WorkerPool pool, AtomicReferenceArray<@Nullable PoolWorker> workers) {
        this.pool = pool;
        this.workers = workers;
    }

    /**
     * Waits until {@code attempt} gives a result, trying again whenever anything changes in the pool,
     * until the deadline, or until the pool no longer takes messages. Between attempts the caller reads
     * a full worker's connection itself while no other thread reads it ({@link #readForRoom}), and
     * otherwise sleeps until it is woken.
     * @param reached for a broadcast, how many workers it reached so far (for errors); else null
     * @param timedOut the failure once the deadline has passed, given the topic
     * @throws PoolUnavailableException when {@code maxWaiting} callers wait already, or the pool stops
     *     taking messages
     */
    <T> T await(String topic, @Nullable String reached, long deadline, Supplier<@Nullable T> attempt,
            Function<String, PoolUnavailableException> timedOut) {
        flushBatches();
        synchronized (this.monitor) {
            int maxWaiting = this.pool.settings().maxWaiting();
            if (this.waiting >= maxWaiting) {
                throw new PoolUnavailableException("Pool '" + this.pool.name() + "' is overloaded: its workers are "
                        + "full (max-in-flight " + this.pool.settings().maxInFlight() + ") and " + this.waiting
                        + " callers already wait for room, as many as max-waiting allows ("
                        + WorkerPool.outcome(topic, reached) + ")");
            }
            this.waiting++;
        }
        try {
            while (true) {
                this.pool.requireAccepting(topic, reached);
                long seen = this.changes.get();
                T result = attempt.get();
                if (result != null) {
                    return result;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw timedOut.apply(topic);
                }
                // a read that ends without a change (end of stream, deadline, interrupt) is not repeated;
                // the time left is read again after it, or a read to the deadline was followed by a sleep as long
                if (!readForRoom(seen, deadline) || this.changes.get() == seen) {
                    synchronized (this.monitor) {
                        long left = deadline - System.nanoTime();
                        if (this.changes.get() == seen && left > 0) {
                            sleep(left);
                        }
                    }
                }
            }
        }
        finally {
            synchronized (this.monitor) {
                this.waiting--;
            }
        }
    }

    /**
     * Waits until the condition holds, looking again at every change and at least every 50 ms.
     * @return false when the deadline passed first
     */
    boolean awaitUntil(BooleanSupplier condition, long deadline) {
        synchronized (this.monitor) {
            while (!condition.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                sleep(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        }
    }

    /** Room was freed on a worker: cheap when nobody waits, as on every acknowledgement of a stream. */
    void roomFreed() {
        if (this.waiting > 0) {
            changed();
        }
    }

    /** Something changed that a waiting caller must look at: room, a worker, or the pool's state. */
    void changed() {
        this.changes.incrementAndGet();
        synchronized (this.monitor) {
            this.monitor.notifyAll();
        }
        for (int slot = 0; slot < this.workers.length(); slot++) {
            PoolWorker worker = this.workers.get(slot);
            if (worker != null) {
                worker.wakeSenderReadingForRoom();
            }
        }
    }

    /** Callers waiting now. */
    int waiting() {
        return this.waiting;
    }

    /**
     * A caller waiting for room reads one full worker's connection on its own thread while no other
     * thread reads it, until room is freed or anything changes anywhere in the pool: the
     * acknowledgement that frees room then wakes the caller itself, rather than that worker's reader
     * thread, which would then wake the caller (two thread wake-ups every few dozen messages of a
     * stream that outpaces its workers).
     * @return whether it read
     */
    private boolean readForRoom(long seen, long deadline) {
        if (Thread.currentThread().isInterrupted()) {
            return false; // the wait that follows says so
        }
        BooleanSupplier roomOrChange = () -> this.changes.get() != seen;
        for (int slot = 0; slot < this.workers.length(); slot++) {
            PoolWorker worker = this.workers.get(slot);
            if (worker != null && worker.isUsable() && worker.readForRoom(roomOrChange, deadline)) {
                return true;
            }
        }
        return false;
    }

    /** The caller is about to wait for room: it writes what it batched itself rather than wake the flushers. */
    private void flushBatches() {
        for (int slot = 0; slot < this.workers.length(); slot++) {
            PoolWorker worker = this.workers.get(slot);
            if (worker != null) {
                worker.flushBeforeWaiting();
            }
        }
    }

    /** Called holding the monitor. */
    private void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this.monitor, nanos);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for a worker of pool '" + this.pool.name() + "'", ex);
        }
    }
}
