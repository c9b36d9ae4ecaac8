package io.ipcworkers.launch;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Stops what dead children left running (a tool a crashed worker had started, one started in the
 * instant before a kill, a daemon that left the child's process tree), found by their
 * {@link ProcessTreeMark}s: SIGTERM, then SIGKILL after {@value GracefulStop#GRACE_MILLIS} ms. Off the thread that
 * noticed the exit, on one thread that ends when idle; one look at the process table serves every child
 * that died meanwhile (a pool's workers killed at once, say). Never shut down: exits are still noticed
 * after their launcher has closed.
 */
final class LeftoverSweeper {

    private static final System.Logger logger = System.getLogger(LeftoverSweeper.class.getName());

    private record Child(ProcessTreeMark mark, Process process, LaunchOptions options) {

        /** What it left is stopped after a failure always, after a clean exit when its options say so. */
        boolean leftoversStopped() {
            return this.process.exitValue() != 0 || this.options.stopLeftoversAfterCleanExit();
        }

        String describe() {
            return LaunchedChild.describe(this.options.name(), this.process.pid()) + " "
                    + ExitCodes.describe(this.process.exitValue());
        }
    }

    /** Children started and not yet looked after: each is taken once, by whichever sweep finds it exited. */
    private final Map<ProcessTreeMark, Child> unswept = new ConcurrentHashMap<>();

    /** Held through a sweep, so that {@link #sweepExited()} returns only once what it found is stopped. */
    private final Object sweeping = new Object();

    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), (task) -> {
                Thread thread = new Thread(task, "ipc-leftover-sweeper");
                thread.setDaemon(true);
                return thread;
            });

    LeftoverSweeper() {
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** Looks after a child just started, whose processes carry the mark, once it has exited. */
    void track(ProcessTreeMark mark, Process process, LaunchOptions options) {
        this.unswept.put(mark, new Child(mark, process, options));
        process.onExit().thenRun(() -> this.executor.execute(this::sweepExited));
    }

    /**
     * Stops, on the caller's thread, what the children that have exited left running, and waits for a
     * sweep under way: for a launcher's close, once its owner has stopped its children, so that the
     * application's exit does not cut it short.
     */
    void sweepExited() {
        synchronized (this.sweeping) {
            List<Child> exited = takeExited();
            if (!exited.isEmpty()) {
                sweep(exited);
            }
        }
    }

    private List<Child> takeExited() {
        List<Child> exited = new ArrayList<>();
        for (Child child : this.unswept.values()) {
            if (!child.process().isAlive() && this.unswept.remove(child.mark(), child) && child.leftoversStopped()) {
                exited.add(child);
            }
        }
        return exited;
    }

    private void sweep(List<Child> exited) {
        Map<ProcessTreeMark, List<ProcessHandle>> found = MarkedProcesses.find(exited.stream().map(Child::mark).toList());
        if (found.isEmpty()) {
            return;
        }
        for (Child child : exited) {
            List<ProcessHandle> left = found.get(child.mark());
            if (left != null) {
                logger.log(Level.INFO, () -> child.describe() + " and left " + left.size()
                        + (left.size() == 1 ? " process" : " processes") + " it had started running; stopping "
                        + (left.size() == 1 ? "it" : "them") + ": " + describe(left));
            }
        }
        GracefulStop.stop(found.values().stream().flatMap(List::stream).toList());
    }

    private static String describe(List<ProcessHandle> processes) {
        return processes.stream()
            .map((process) -> process.pid() + process.info().command().map((command) -> " (" + command + ")").orElse(""))
            .collect(Collectors.joining(", "));
    }
}
