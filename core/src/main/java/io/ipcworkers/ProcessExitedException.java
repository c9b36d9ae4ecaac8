package io.ipcworkers;

import java.util.List;

/**
 * The process on the other end of a channel is gone: a child exited (or was killed) while the parent
 * waited for its message or reply, or the parent went away while a child waited. Carries the pid,
 * the exit code when known, and the last lines the process wrote to stdout and stderr (the JVM
 * prints some fatal errors, such as running out of memory, to stdout).
 */
public class ProcessExitedException extends IpcException {

    private static final long serialVersionUID = 1L;

    /** Exit code used when the process has not been reaped yet or the code is unknown. */
    public static final int UNKNOWN_EXIT_CODE = -1;

    /** Exit code of a process ended by {@code SIGKILL} ({@code kill -9}, the out-of-memory killer): 128 + 9. */
    public static final int SIGKILL_EXIT_CODE = 128 + 9;

    private final long pid;

    private final int exitCode;

    private final List<String> lastOutputLines;

    public ProcessExitedException(String message, long pid, int exitCode, List<String> lastOutputLines) {
        super(message + describeStderr(lastOutputLines));
        this.pid = pid;
        this.exitCode = exitCode;
        this.lastOutputLines = List.copyOf(lastOutputLines);
    }

    private static String describeStderr(List<String> lines) {
        return lines.isEmpty() ? "" : "; last output lines:\n  " + String.join("\n  ", lines);
    }

    /** The pid of the process that exited. */
    public long getPid() {
        return this.pid;
    }

    /** Its exit code (128 + signal number when killed by a signal), or {@link #UNKNOWN_EXIT_CODE}. */
    public int getExitCode() {
        return this.exitCode;
    }

    /** The last lines it wrote to stdout and stderr, oldest first; empty when it wrote none. */
    public List<String> getLastOutputLines() {
        return this.lastOutputLines;
    }
}
