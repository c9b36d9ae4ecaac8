package io.ipcworkers.pool;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: messages from one worker are
 * handled in order, while different workers' messages run in parallel. Bounded: a submitter waits
 * while {@code capacity} tasks, or tasks carrying {@code byteCapacity} bytes, are queued, so a worker
 * that sends faster than the parent's listeners keep up is slowed down through its socket instead of
 * filling the parent's heap. The byte bound is what holds for large messages: a thousand 16 MiB
 * messages would be 16 GiB. A task is taken while the queue is under both bounds, so one larger than
 * the byte bound waits only for the queue to empty.
 */
final class SerialExecutor implements Executor {

    /** Messages from one worker queued for the parent's listeners, at most. */
    static final int DEFAULT_CAPACITY = 1024;

    /** Bytes of those messages' bodies, at most (the last one taken may go past it). */
    static final long DEFAULT_BYTE_CAPACITY = 32 * 1024 * 1024;

    private final Executor delegate;

    private final int capacity;

    private final long byteCapacity;

    private final BooleanSupplier open;

    private final Runnable resumed;

    private volatile boolean holdingBack;

    /** The thread running a task of this queue now, if any. */
    private volatile @Nullable Thread runner;

    private final ArrayDeque<Task> tasks = new ArrayDeque<>();

    /** Bytes the queued tasks carry; guarded by {@link #tasks}. */
    private long queuedBytes;

    private boolean running;

    /**
     * @param open whether to keep waiting for room; once false, tasks are queued regardless (the source is gone)
     * @param resumed runs when a submitter that had to wait goes on
     */
    SerialExecutor(Executor delegate, int capacity, long byteCapacity, BooleanSupplier open, Runnable resumed) {
        this.delegate = delegate;
        this.capacity = capacity;
        this.byteCapacity = byteCapacity;
        this.open = open;
        this.resumed = resumed;
    }

    /** Whether the calling thread is running one of this queue's tasks. */
    boolean isRunningOnCurrentThread() {
        return this.runner == Thread.currentThread();
    }

    /** Whether a submitter is waiting for room right now. */
    boolean isHoldingBack() {
        return this.holdingBack;
    }

    /** Whether a task submitted now would be queued without waiting. */
    boolean hasRoom() {
        synchronized (this.tasks) {
            return !isFull();
        }
    }

    private boolean isFull() {
        return this.tasks.size() >= this.capacity || this.queuedBytes >= this.byteCapacity;
    }

    /** Queues a task that carries no bytes worth counting; see {@link #execute(Runnable, int)}. */
    @Override
    public void execute(Runnable task) {
        execute(task, 0);
    }

    /**
     * Queues a task that carries {@code bytes} (a message body) while it waits, waiting while the
     * queue is full and the source is still open.
     */
    void execute(Runnable task, int bytes) {
        synchronized (this.tasks) {
            if (isFull()) {
                awaitRoom();
            }
            this.tasks.add(new Task(task, bytes));
            this.queuedBytes += bytes;
            if (this.running) {
                return;
            }
            this.running = true;
        }
        try {
            this.delegate.execute(this::drain);
        }
        catch (RejectedExecutionException ex) {
            // nothing drains the queue: the task waits in it, and the next one submitted tries again
            synchronized (this.tasks) {
                this.running = false;
            }
            throw ex;
        }
    }

    private void awaitRoom() {
        this.holdingBack = true;
        try {
            while (isFull() && this.open.getAsBoolean()) {
                this.tasks.wait(200); // re-checks "open": a closed source cannot wake us
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("Interrupted while the queue was full", ex);
        }
        finally {
            this.holdingBack = false;
            this.resumed.run();
        }
    }

    private void drain() {
        while (true) {
            Task task;
            synchronized (this.tasks) {
                boolean wasFull = isFull();
                task = this.tasks.poll();
                if (task == null) {
                    this.running = false;
                    return;
                }
                this.queuedBytes -= task.bytes();
                if (wasFull && !isFull()) {
                    this.tasks.notifyAll();
                }
            }
            this.runner = Thread.currentThread();
            try {
                task.action().run();
            }
            catch (RuntimeException ex) {
                // the task reports its own failures; one failure must not stop the queue
            }
            catch (Error error) {
                // nor may an error: the queue goes on on another thread, this one ends with the error
                this.runner = null;
                this.delegate.execute(this::drain);
                throw error;
            }
            this.runner = null;
        }
    }

    private record Task(Runnable action, int bytes) {
    }
}
