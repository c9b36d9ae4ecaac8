package io.ipcworkers.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.Message;

/**
 * The {@code self} a task sees inside its child: knows its pid; messages go through the
 * {@code ParentProcess}, since a child has no channel to itself.
 */
public final class LocalChildProcess implements ChildProcess {

    private final long pid = CurrentProcessId.get();

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

    @Override
    public boolean isAlive() {
        return true;
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return new CompletableFuture<>();
    }

    @Override
    public void terminate() {
        throw new UnsupportedOperationException("A child ends by returning from its task");
    }

    @Override
    public void kill() {
        throw new UnsupportedOperationException("A child ends by returning from its task");
    }

    private static UnsupportedOperationException noChannel() {
        return new UnsupportedOperationException(
                "A child exchanges messages with its ParentProcess, not with itself");
    }
}
