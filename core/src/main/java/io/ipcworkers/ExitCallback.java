package io.ipcworkers;

/** Told that a child exited; see {@link ProcessManager#awaitAll(ExitCallback)}. */
@FunctionalInterface
public interface ExitCallback {

    /**
     * @param exitCode the child's exit code: 0 after a normal return, 1 after an exception,
     *     128 + signal number when it was killed by a signal
     * @param pid the child's pid
     * @return {@code false} to stop {@code awaitAll} waiting for further children (ignored for hooks)
     */
    boolean onExit(int exitCode, long pid);
}
