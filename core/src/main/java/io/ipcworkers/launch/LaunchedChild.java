package io.ipcworkers.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.Connection;

/**
 * A started, connected child: its process, its authenticated connection, and what it last wrote to
 * stderr. Owned by whoever launched it (a {@code ProcessManager} or a pool).
 */
public final class LaunchedChild {

    private final String name;

    private final Process process;

    private final Connection connection;

    private final List<OutputPump> pumps;

    private final OutputTail tail;

    LaunchedChild(String name, Process process, Connection connection, List<OutputPump> pumps, OutputTail tail) {
        this.name = name;
        this.process = process;
        this.connection = connection;
        this.pumps = pumps;
        this.tail = tail;
        connection.describePeer(describe());
    }

    public String name() {
        return this.name;
    }

    public long pid() {
        return this.process.pid();
    }

    public Process process() {
        return this.process;
    }

    public Connection connection() {
        return this.connection;
    }

    /** The last lines the child wrote to stdout and stderr; complete once the child has exited. */
    public List<String> lastOutputLines() {
        long deadline = System.currentTimeMillis() + 500;
        for (OutputPump pump : this.pumps) {
            pump.awaitEnd(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return this.tail.lines();
    }

    /** How a child ended, as far as can be told within the wait. */
    public record ExitReport(int exitCode, String state, List<String> lastOutputLines) {
    }

    /**
     * Waits up to {@code waitMillis} for the child to exit, so that its exit code and last output
     * lines can be named.
     */
    public ExitReport exitReport(long waitMillis) {
        int exitCode = ProcessExitedException.UNKNOWN_EXIT_CODE;
        try {
            if (this.process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
                exitCode = this.process.exitValue();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        boolean exited = exitCode != ProcessExitedException.UNKNOWN_EXIT_CODE;
        return new ExitReport(exitCode, exited ? ExitCodes.describe(exitCode)
                : "closed its connection (process still running)", exited ? lastOutputLines() : List.of());
    }

    /**
     * The exception to report when the child is gone or going.
     * @param what what was going on, e.g. "before sending another message"
     */
    public ProcessExitedException exitedException(String what, long waitMillis) {
        return exitedException(what, exitReport(waitMillis));
    }

    public ProcessExitedException exitedException(String what, ExitReport report) {
        return new ProcessExitedException(describe() + " " + report.state() + " " + what, pid(), report.exitCode(),
                report.lastOutputLines());
    }

    /** "child 1234" or "worker thumbnails-2 (pid 1234)". */
    public String describe() {
        return describe(this.name, pid());
    }

    static String describe(String name, long pid) {
        return "child".equals(name) ? "Child " + pid : "Worker " + name + " (pid " + pid + ")";
    }

    /**
     * SIGTERM. Through the process handle: {@code Process.destroy} would also close our ends of the
     * child's stdout and stderr, losing what it wrote that the pumps have not read yet (its last words).
     */
    public void terminate() {
        this.process.toHandle().destroy();
    }

    /**
     * SIGKILL, to the processes the child started too: work killed for running too long or hanging
     * must not run on in a process of its own. They are the descendants seen just before the kill, on
     * any system; on Linux, those that escape that look (one started in the instant between, or a
     * daemon that left the tree) are found by the child's mark once it is dead and stopped then. See
     * {@link #terminate()} for why through the handle.
     */
    public void kill() {
        ProcessHandle handle = this.process.toHandle();
        List<ProcessHandle> descendants = handle.isAlive() ? handle.descendants().toList() : List.of();
        handle.destroyForcibly(); // first: a dead child starts nothing more
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Closes the child's stdin, which it takes as "the parent is gone": it exits promptly. Used as a
     * last resort before signals, and happens by itself when this JVM dies.
     */
    public void closeStdin() {
        try {
            OutputStream stdin = this.process.getOutputStream();
            stdin.close();
        }
        catch (IOException ex) {
            // already closed
        }
    }
}
