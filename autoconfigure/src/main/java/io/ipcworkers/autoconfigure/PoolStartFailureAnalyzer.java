package io.ipcworkers.autoconfigure;

import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.pool.PoolStartException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a pool whose workers could not start, quoting what the worker printed before it died. */
class PoolStartFailureAnalyzer extends AbstractFailureAnalyzer<PoolStartException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PoolStartException cause) {
        String prefix = "ipc.pools." + cause.getPool() + ".";
        return new FailureAnalysis("Worker pool '" + cause.getPool() + "' could not start its workers:\n\n    "
                + cause.getMessage().replace("\n", "\n    "), killedEachTime(cause) ? memoryAction(prefix)
                        : startAction(prefix), cause);
    }

    private static boolean killedEachTime(PoolStartException cause) {
        return cause.getCause() instanceof ProcessExitedException exited
                && exited.getExitCode() == ProcessExitedException.SIGKILL_EXIT_CODE;
    }

    /** Nothing the worker did: something outside killed it at every attempt, most often for its memory. */
    private static String memoryAction(String prefix) {
        return "The worker JVMs were killed with SIGKILL before they were ready, at each attempt; nothing in the "
                + "worker failed. Most often this is the kernel's out-of-memory killer (see dmesg, or the container's "
                + "events): give the workers less memory (-Xmx in " + prefix + "jvm-args, fewer " + prefix
                + "workers), or the machine or container more.";
    }

    private static String startAction(String prefix) {
        return "Read the worker's stderr above. Check that " + prefix + "worker names a class that starts in a JVM "
                + "of its own (its @Configuration beans must not need the parent's beans) and declares at "
                + "least one @IpcListener method, and that " + prefix + "jvm-args are options its JVM "
                + "accepts; raise " + prefix + "start-timeout for slow-starting workers.";
    }
}
