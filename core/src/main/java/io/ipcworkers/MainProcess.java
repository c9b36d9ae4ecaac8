package io.ipcworkers;

import java.time.Duration;

/** The parent JVM as {@link ProcessManager#getMainProcess()} returns it: a pid, no channel. */
final class MainProcess implements ParentProcess {

    private final long pid = ProcessHandle.current().pid();

    @Override
    public long getId() {
        return this.pid;
    }

    @Override
    public void sendMessage(Message message) {
        throw noChannel();
    }

    @Override
    public Message getNextMessage() {
        throw noChannel();
    }

    @Override
    public Message getNextMessage(Duration timeout) {
        throw noChannel();
    }

    private static UnsupportedOperationException noChannel() {
        return new UnsupportedOperationException(
                "The main process has no parent channel; exchange messages through each ChildProcess");
    }
}
