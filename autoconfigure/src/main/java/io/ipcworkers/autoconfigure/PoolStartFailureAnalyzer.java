package io.ipcworkers.autoconfigure;

import io.ipcworkers.pool.PoolStartException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a pool whose workers could not start, quoting what the worker printed before it died. */
class PoolStartFailureAnalyzer extends AbstractFailureAnalyzer<PoolStartException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PoolStartException cause) {
        String prefix = "ipc.pools." + cause.getPool() + ".";
        return new FailureAnalysis("Worker pool '" + cause.getPool() + "' could not start its workers:\n\n    "
                + cause.getMessage().replace("\n", "\n    "),
                "Read the worker's stderr above. Check that " + prefix + "worker names a class that starts in a JVM "
                        + "of its own (its @Configuration beans must not need the parent's beans) and declares at "
                        + "least one @IpcListener method, and that " + prefix + "jvm-args are options its JVM "
                        + "accepts; raise " + prefix + "start-timeout for slow-starting workers.", cause);
    }
}
