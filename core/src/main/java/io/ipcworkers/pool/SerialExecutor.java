package io.ipcworkers.pool;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: messages from one worker are
 * handled in order, while different workers' messages run in parallel. Bounded: a submitter waits
 * while {@code capacity} tasks are queued, so a worker that sends faster than the parent's
 * listeners keep up is slowed down through its socket instead of filling the parent's heap.
 */
final class SerialExecutor implements Executor {

    /** Messages from one worker queued for the parent's listeners, at most. */
    static final int DEFAULT_CAPACITY = 1024;

    private final Executor delegate;

    private final int capacity;

    private final BooleanSupplier open;

    private final Runnable resumed;

    private volatile boolean holdingBack;

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    private boolean running;

    /**
     * @param open whether to keep waiting for room; once false, tasks are queued regardless (the source is gone)
     * @param resumed runs when a submitter that had to wait goes on
     */
    SerialExecutor(Executor delegate, int capacity, BooleanSupplier open, Runnable resumed) {
        this.delegate = delegate;
        this.capacity = capacity;
        this.open = open;
        this.resumed = resumed;
    }

    /** Whether a submitter is waiting for room right now. */
    boolean isHoldingBack() {
        return this.holdingBack;
    }

    /** Whether a task submitted now would be queued without waiting. */
    boolean hasRoom() {
        synchronized (this.tasks) {
            return this.tasks.size() < this.capacity;
        }
    }

    /** Queues a task, waiting while the queue is full and the source is still open. */
    @Override
    public void execute(Runnable task) {
        synchronized (this.tasks) {
            if (this.tasks.size() >= this.capacity) {
                awaitRoom();
            }
            this.tasks.add(task);
            if (this.running) {
                return;
            }
            this.running = true;
        }
        this.delegate.execute(this::drain);
    }

    private void awaitRoom() {
        this.holdingBack = true;
        try {
            while (this.tasks.size() >= this.capacity && this.open.getAsBoolean()) {
                this.tasks.wait(200); // re-checks "open": a closed source cannot wake us
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.RejectedExecutionException("Interrupted while the queue was full", ex);
        }
        finally {
            this.holdingBack = false;
            this.resumed.run();
        }
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (this.tasks) {
                task = this.tasks.poll();
                if (this.tasks.size() == this.capacity - 1) {
                    this.tasks.notifyAll();
                }
                if (task == null) {
                    this.running = false;
                    return;
                }
            }
            try {
                task.run();
            }
            catch (RuntimeException ex) {
                // the task reports its own failures; one failure must not stop the queue
            }
        }
    }
}
