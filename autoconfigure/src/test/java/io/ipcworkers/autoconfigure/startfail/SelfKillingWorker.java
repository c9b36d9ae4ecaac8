package io.ipcworkers.autoconfigure.startfail;

import io.ipcworkers.IpcListener;

/**
 * A plain worker whose JVM is killed with SIGKILL while it starts, as the kernel's out-of-memory killer
 * would kill it: it sends the signal to itself.
 */
public class SelfKillingWorker {

    public SelfKillingWorker() throws Exception {
        new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        Thread.sleep(60_000); // the signal ends it first
    }

    @IpcListener("never")
    public void never(String message) {
    }
}
