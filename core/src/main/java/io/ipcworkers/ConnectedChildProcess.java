package io.ipcworkers;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameHandler;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.Inbox;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.launch.LaunchedChild;
import org.jspecify.annotations.Nullable;

/**
 * A child started by {@link ProcessManager#runProcess}: its messages are queued for
 * {@link #getNextMessage()}. A child that breaks the protocol is stopped, and waiters learn why.
 */
final class ConnectedChildProcess implements ChildProcess, FrameHandler {

    private static final long EXIT_CODE_WAIT_MILLIS = 2000;

    private final LaunchedChild child;

    private final MessageCodec codec;

    private final Inbox inbox;

    private final CompletableFuture<Integer> exit;

    ConnectedChildProcess(LaunchedChild child, MessageCodec codec) {
        this.child = child;
        this.codec = codec;
        this.inbox = new Inbox("child " + child.pid());
        this.exit = child.process().onExit().thenApply(Process::exitValue);
    }

    void startReading() {
        this.child.connection().startReading(this, "ipc-child-reader-" + this.child.pid());
    }

    @Override
    public long getId() {
        return this.child.pid();
    }

    @Override
    public void sendMessage(Message message) {
        Objects.requireNonNull(message, "'message' must not be null");
        try {
            this.child.connection().send(FrameType.MESSAGE, 0, 0, this.codec.encode(message));
        }
        catch (IOException ex) {
            throw this.child.exitedException("before message '" + message.topic() + "' could be sent",
                    EXIT_CODE_WAIT_MILLIS);
        }
    }

    @Override
    public Message getNextMessage() {
        return this.inbox.take(null);
    }

    @Override
    public Message getNextMessage(Duration timeout) {
        return this.inbox.take(Objects.requireNonNull(timeout, "'timeout' must not be null"));
    }

    @Override
    public void onFrame(Frame frame) throws Exception {
        if (frame.type() != FrameType.MESSAGE) {
            throw new IpcProtocolException("unexpected " + frame.type() + " frame");
        }
        this.inbox.deliver(this.codec.decode(frame.body()));
    }

    @Override
    public void onClosed(@Nullable Throwable cause) {
        if (cause != null) {
            this.child.kill();
            this.inbox.close(() -> new IpcProtocolException(this.child.describe()
                    + " broke the protocol and was stopped: " + cause.getMessage(), cause));
        }
        else {
            this.inbox.close(() -> this.child.exitedException("before sending another message",
                    EXIT_CODE_WAIT_MILLIS));
        }
    }

    @Override
    public boolean isAlive() {
        return this.child.process().isAlive();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return this.exit.copy();
    }

    @Override
    public void terminate() {
        this.child.terminate();
    }

    @Override
    public void kill() {
        this.child.kill();
    }

    LaunchedChild launched() {
        return this.child;
    }

    @Override
    public String toString() {
        return this.child.describe();
    }
}
