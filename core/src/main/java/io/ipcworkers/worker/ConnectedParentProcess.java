package io.ipcworkers.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameHandler;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import io.ipcworkers.channel.Inbox;
import io.ipcworkers.codec.MessageCodec;
import org.jspecify.annotations.Nullable;

/**
 * The parent as a child sees it: messages from the parent are queued for {@link #getNextMessage()},
 * unless a {@link FrameHandler} takes over the connection's frames (a listener worker does).
 */
public final class ConnectedParentProcess implements ParentProcess, FrameHandler {

    private final Connection connection;

    private final long pid = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);

    private final Inbox inbox = new Inbox("the parent");

    private volatile MessageCodec codec = MessageCodec.withDefaultMapper();

    private volatile @Nullable FrameHandler takeover;

    public ConnectedParentProcess(Connection connection) {
        this.connection = connection;
        connection.startReading(this, "ipc-parent-reader");
    }

    /** Lets a worker use its application's JSON settings for messages from here on. */
    public void useCodec(MessageCodec codec) {
        this.codec = Objects.requireNonNull(codec, "'codec' must not be null");
    }

    public MessageCodec codec() {
        return this.codec;
    }

    /** Routes every further frame to the given handler instead of the inbox. */
    public void takeOver(FrameHandler handler) {
        this.takeover = handler;
    }

    @Override
    public long getId() {
        return this.pid;
    }

    @Override
    public void sendMessage(Message message) {
        send(FrameType.MESSAGE, 0, 0, this.codec.encode(message));
    }

    /** Sends a frame, translating a broken connection into "the parent is gone". */
    public void send(FrameType type, int flags, long correlationId, BodyWriter body) {
        try {
            this.connection.send(type, flags, correlationId, body);
        }
        catch (IOException ex) {
            throw new ProcessExitedException("Parent " + this.pid + " is gone: " + ex.getMessage(), this.pid,
                    ProcessExitedException.UNKNOWN_EXIT_CODE, List.of());
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
        FrameHandler handler = this.takeover;
        if (handler != null) {
            handler.onFrame(frame);
        }
        else if (frame.type() == FrameType.MESSAGE) {
            this.inbox.deliver(this.codec.decode(frame.body()));
        }
        else {
            throw new IpcProtocolException("unexpected " + frame.type() + " frame from the parent");
        }
    }

    @Override
    public void onClosed(@Nullable Throwable cause) {
        FrameHandler handler = this.takeover;
        if (handler != null) {
            handler.onClosed(cause);
        }
        this.inbox.close(() -> (cause instanceof IpcException ipc) ? ipc
                : new ProcessExitedException("Parent " + this.pid + " closed the channel", this.pid,
                        ProcessExitedException.UNKNOWN_EXIT_CODE, List.of()));
    }

    public void close() {
        this.connection.close();
    }

    /** For tests that need to put raw bytes on the wire. */
    Connection connection() {
        return this.connection;
    }
}
