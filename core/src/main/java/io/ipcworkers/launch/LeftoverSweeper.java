package io.ipcworkers.launch;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Stops what dead children left running (a tool a crashed worker had started, or one started in the
 * instant before a kill), found by their {@link ProcessTreeMark}s: SIGTERM, then SIGKILL after
 * {@value #GRACE_MILLIS} ms. Off the thread that noticed the exit, on one thread that ends when idle;
 * one look at the process table serves every child that died meanwhile (a pool's workers killed at
 * once, say). Never shut down: exits are still noticed after their launcher has closed.
 */
final class LeftoverSweeper {

    private static final System.Logger logger = System.getLogger(LeftoverSweeper.class.getName());

    static final long GRACE_MILLIS = 500;

    private record Dead(ProcessTreeMark mark, String description) {
    }

    private final Queue<Dead> pending = new ConcurrentLinkedQueue<>();

    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), (task) -> {
                Thread thread = new Thread(task, "ipc-leftover-sweeper");
                thread.setDaemon(true);
                return thread;
            });

    LeftoverSweeper() {
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Stops, soon, the processes that carry a dead child's mark.
     * @param description the child and how it ended, for the log line, e.g. "Worker p-1 (pid 12) exited with code 3"
     */
    void sweepAfter(ProcessTreeMark mark, String description) {
        this.pending.add(new Dead(mark, description));
        this.executor.execute(this::sweep);
    }

    private void sweep() {
        List<Dead> dead = new ArrayList<>();
        for (Dead next = this.pending.poll(); next != null; next = this.pending.poll()) {
            dead.add(next);
        }
        if (dead.isEmpty()) {
            return; // taken by the sweep before this one
        }
        Map<ProcessTreeMark, List<ProcessHandle>> found = MarkedProcesses.find(dead.stream().map(Dead::mark).toList());
        if (found.isEmpty()) {
            return;
        }
        for (Dead child : dead) {
            List<ProcessHandle> left = found.get(child.mark());
            if (left != null) {
                logger.log(Level.INFO, () -> child.description() + " and left " + left.size()
                        + (left.size() == 1 ? " process" : " processes") + " it had started running; stopping "
                        + (left.size() == 1 ? "it" : "them") + ": " + describe(left));
            }
        }
        GracefulStop.stop(found.values().stream().flatMap(List::stream).toList(), GRACE_MILLIS);
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream()
            .map((process) -> process.pid() + process.info().command().map((command) -> " (" + command + ")").orElse(""))
            .collect(Collectors.joining(", "));
    }
}
