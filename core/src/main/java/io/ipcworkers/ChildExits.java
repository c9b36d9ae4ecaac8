package io.ipcworkers;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ipcworkers.dispatch.Callbacks;

/**
 * Keeps track of running children and of exits not yet reported to {@code awaitAll}, as the seed's
 * early-exit queue does: a child that exits before anyone waits is still reported to the next
 * {@code awaitAll} call. Exit hooks run once per child; while an {@code awaitAll} call is waiting they
 * run after its callback, otherwise as soon as the child exits.
 */
final class ChildExits {

    private static final System.Logger logger = System.getLogger(ChildExits.class.getName());

    /**
     * Exits kept for an {@code awaitAll} that may never come (an application that runs children for
     * years and reads their exit codes elsewhere); past this, the oldest are let go.
     */
    static final int MAX_UNREPORTED = 10_000;

    /** A pid, not the child: an exit may wait long for an {@code awaitAll}, and a child holds buffers and output. */
    private record Exit(long pid, int exitCode, boolean[] hooksRun) {
    }

    private final Object lock = new Object();

    private final Set<ChildProcess> running = new LinkedHashSet<>();

    private final ArrayDeque<Exit> unreported = new ArrayDeque<>();

    private final List<ExitCallback> hooks = new CopyOnWriteArrayList<>();

    private int waiters;

    private boolean toldOfDroppedExits;

    void addHook(ExitCallback hook) {
        this.hooks.add(hook);
    }

    void started(ChildProcess child) {
        synchronized (this.lock) {
            this.running.add(child);
        }
    }

    void exited(ChildProcess child, int exitCode) {
        Exit exit = new Exit(child.getId(), exitCode, new boolean[1]);
        boolean runHooksNow;
        synchronized (this.lock) {
            this.running.remove(child);
            if (this.unreported.size() >= MAX_UNREPORTED && this.waiters == 0) {
                this.unreported.poll(); // its hooks ran when it exited: nobody was waiting then either
                tellOfDroppedExits();
            }
            this.unreported.add(exit);
            runHooksNow = this.waiters == 0;
            exit.hooksRun()[0] = runHooksNow;
            this.lock.notifyAll();
        }
        if (runHooksNow) {
            runHooks(exit);
        }
    }

    private void tellOfDroppedExits() {
        if (!this.toldOfDroppedExits) {
            this.toldOfDroppedExits = true;
            logger.log(Level.WARNING, "More than " + MAX_UNREPORTED + " child exits were never reported to awaitAll(); "
                    + "from now on the oldest are dropped from its queue (onProcessExit hooks and ChildProcess.onExit() "
                    + "still report every exit)");
        }
    }

    List<ChildProcess> running() {
        synchronized (this.lock) {
            return new ArrayList<>(this.running);
        }
    }

    void awaitAll(ExitCallback callback) throws InterruptedException {
        synchronized (this.lock) {
            this.waiters++;
        }
        try {
            while (true) {
                Exit exit;
                synchronized (this.lock) {
                    while (this.unreported.isEmpty()) {
                        if (this.running.isEmpty()) {
                            return;
                        }
                        this.lock.wait();
                    }
                    exit = this.unreported.poll();
                }
                boolean keepWaiting;
                try {
                    keepWaiting = callback.onExit(exit.exitCode(), exit.pid());
                }
                finally {
                    runHooksOnce(exit); // also after a callback that throws: the exit has left the queue
                }
                if (!keepWaiting) {
                    return;
                }
            }
        }
        finally {
            List<Exit> pendingHooks = new ArrayList<>();
            synchronized (this.lock) {
                if (--this.waiters == 0) {
                    for (Exit exit : this.unreported) {
                        if (!exit.hooksRun()[0]) {
                            exit.hooksRun()[0] = true;
                            pendingHooks.add(exit);
                        }
                    }
                }
            }
            pendingHooks.forEach(this::runHooks);
        }
    }

    private void runHooksOnce(Exit exit) {
        synchronized (this.lock) {
            if (exit.hooksRun()[0]) {
                return;
            }
            exit.hooksRun()[0] = true;
        }
        runHooks(exit);
    }

    private void runHooks(Exit exit) {
        for (ExitCallback hook : this.hooks) {
            try {
                hook.onExit(exit.exitCode(), exit.pid());
            }
            catch (RuntimeException | Error ex) {
                Callbacks.rethrowIfFatal(ex);
                logger.log(Level.WARNING, "Process exit hook failed for pid " + exit.pid(), ex);
            }
        }
    }
}
