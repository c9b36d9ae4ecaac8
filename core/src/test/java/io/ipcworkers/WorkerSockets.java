package io.ipcworkers;

import java.util.Set;
import java.util.stream.Collectors;

/** What an open worker socket leaves running in this JVM, for tests that check nothing was left open. */
public final class WorkerSockets {

    private WorkerSockets() {
    }

    /**
     * The threads accepting on a worker socket, one per open {@code ProcessManager} or set of pools. Compare
     * sets, not counts: another test's manager may close meanwhile.
     */
    public static Set<Thread> acceptingThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter((t) -> t.getName().startsWith("ipc-accept-"))
            .collect(Collectors.toSet());
    }
}
