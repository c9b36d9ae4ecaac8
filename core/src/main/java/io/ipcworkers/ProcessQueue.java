package io.ipcworkers;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Runs tasks in child JVMs, never more than {@code maxProcesses} at once: {@link #addToQueue} blocks
 * while the limit is reached and returns as soon as a running child has exited.
 *
 * <pre>{@code
 * ProcessQueue queue = new ProcessQueue(4, pm);
 * for (Path file : files) {
 *     queue.addToQueue((self, parent) -> convert(file.toString()));
 * }
 * queue.awaitAll();
 * }</pre>
 *
 * A queue made without a {@link ProcessManager} makes its own, which {@link #close()} closes.
 */
public class ProcessQueue implements AutoCloseable {

    private final int maxProcesses;

    private final ProcessManager processManager;

    /** Whether this queue made its process manager, and so closes it. */
    private final boolean ownsProcessManager;

    private final Semaphore slots;

    private final Set<ChildProcess> running = ConcurrentHashMap.newKeySet();

    /** A queue with its own {@link ProcessManager}, closed by {@link #close()}. */
    public ProcessQueue(int maxProcesses) {
        this(requireAtLeastOne(maxProcesses), new ProcessManager(), true); // checked before a manager is opened
    }

    /**
     * @param maxProcesses how many children may run at once; at least 1
     * @param processManager starts the children
     */
    public ProcessQueue(int maxProcesses, ProcessManager processManager) {
        this(maxProcesses, processManager, false);
    }

    private ProcessQueue(int maxProcesses, ProcessManager processManager, boolean ownsProcessManager) {
        this.maxProcesses = requireAtLeastOne(maxProcesses);
        this.processManager = Objects.requireNonNull(processManager, "'processManager' must not be null");
        this.slots = new Semaphore(maxProcesses, true);
        this.ownsProcessManager = ownsProcessManager;
    }

    private static int requireAtLeastOne(int maxProcesses) {
        if (maxProcesses < 1) {
            throw new IllegalArgumentException("maxProcesses must be at least 1, was " + maxProcesses);
        }
        return maxProcesses;
    }

    /**
     * Starts the task in a child once fewer than {@code maxProcesses} of this queue's children run.
     * @return the started child
     */
    public ChildProcess addToQueue(WorkerTask task) {
        try {
            this.slots.acquire();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for a free slot in the process queue", ex);
        }
        ChildProcess child;
        try {
            child = this.processManager.runProcess(task);
        }
        catch (RuntimeException ex) {
            this.slots.release();
            throw ex;
        }
        this.running.add(child);
        child.onExit().whenComplete((code, failure) -> {
            this.running.remove(child);
            this.slots.release();
        });
        return child;
    }

    /** Waits until every child this queue started has exited. */
    public void awaitAll() {
        try {
            this.slots.acquire(this.maxProcesses);
            this.slots.release(this.maxProcesses);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for the queue's children to exit", ex);
        }
    }

    public int getMaxProcesses() {
        return this.maxProcesses;
    }

    /** How many of this queue's children are running now. */
    public int getRunningCount() {
        return this.running.size();
    }

    public ProcessManager getProcessManager() {
        return this.processManager;
    }

    /**
     * Closes the process manager this queue made, stopping its children that still run (see
     * {@link ProcessManager#close()}); a manager given to the queue is left to its owner. Idempotent.
     */
    @Override
    public void close() {
        if (this.ownsProcessManager) {
            this.processManager.close();
        }
    }
}
