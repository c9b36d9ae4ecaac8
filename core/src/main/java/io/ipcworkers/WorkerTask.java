package io.ipcworkers;

import java.io.Serializable;

/**
 * The work a child JVM runs, given to {@link ProcessManager#runProcess(WorkerTask)}.
 *
 * <p>The task is serialized in the parent and run in the child, so it must be serializable: a
 * lambda qualifies as long as everything it captures is serializable too (capture values, not
 * {@code this} of a non-serializable class). A task that cannot be serialized is refused before
 * any JVM is started. A task class with nothing to serialize (no non-transient fields, no
 * serialization methods) travels as its class name instead: the child creates it as deserialization
 * would (its own constructors do not run) without starting Java serialization, which is faster.
 *
 * <p>A normal return ends the child with exit code 0; an exception ends it with exit code 1 and the
 * exception on its stderr.
 */
@FunctionalInterface
public interface WorkerTask extends Serializable {

    /**
     * Runs in the child JVM.
     * @param self this child (its {@link ChildProcess#getId() pid})
     * @param parent the parent, to exchange messages with
     */
    void run(ChildProcess self, ParentProcess parent) throws Exception;
}
