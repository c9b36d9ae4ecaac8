package io.ipcworkers.pool;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: messages from one worker are
 * handled in order, while different workers' messages run in parallel.
 */
final class SerialExecutor implements Executor {

    private final Executor delegate;

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    private boolean running;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this.tasks) {
            this.tasks.add(task);
            if (this.running) {
                return;
            }
            this.running = true;
        }
        this.delegate.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (this.tasks) {
                task = this.tasks.poll();
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
