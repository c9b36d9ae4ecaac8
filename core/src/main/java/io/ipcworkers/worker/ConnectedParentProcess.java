package io.ipcworkers.worker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameSlot;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageHeaders;
import io.ipcworkers.pool.PoolObserver;
import org.jspecify.annotations.Nullable;

/**
 * The parent as a child sees it. Messages are read from the socket by whoever asks for them, on
 * their own thread: {@link #getNextMessage()} in a {@code WorkerTask}, the dispatcher's loop in a
 * listener worker. There is no reader thread, so nothing is handed between threads per message;
 * the parent's death is noticed through stdin, not through this connection.
 */
public final class ConnectedParentProcess implements ParentProcess {

    private final Connection connection;

    private final long pid;

    private volatile MessageCodec codec = MessageCodec.withDefaultMapper();

    /** Runs around the worker's listener calls (with the headers each message came with); null for none. */
    private volatile @Nullable PoolObserver observer;

    /**
     * A pool worker's pool, for its observer; null elsewhere. Set, its dispatcher reads every message,
     * for the {@code @IpcListener} methods.
     */
    private volatile @Nullable String pool;

    /** @param pid the parent's pid, from the bootstrap: looking it up through {@code ProcessHandle} costs a worker's start several ms */
    public ConnectedParentProcess(Connection connection, long pid) {
        this.connection = connection;
        this.pid = pid;
    }

    /** Lets a worker use its application's JSON settings for messages from here on. */
    public void useCodec(MessageCodec codec) {
        this.codec = Objects.requireNonNull(codec, "'codec' must not be null");
    }

    public MessageCodec codec() {
        return this.codec;
    }

    /**
     * Has a pool worker's listener calls observed from here on: {@link PoolObserver#listen} runs around
     * each, with the headers the parent's observer sent with its message (a trace context, say), and
     * {@link PoolObserver#send} around each {@link #sendMessage}, whose headers go with the message to
     * the parent's listener.
     */
    public void observeWith(PoolObserver observer) {
        this.observer = Objects.requireNonNull(observer, "'observer' must not be null");
    }

    @Nullable PoolObserver observer() {
        return this.observer;
    }

    @Override
    public long getId() {
        return this.pid;
    }

    @Override
    public void sendMessage(Message message) {
        Objects.requireNonNull(message, "'message' must not be null");
        PoolObserver observer = this.observer;
        String pool = this.pool;
        if (observer == null || pool == null) {
            sendBatched(FrameType.MESSAGE, 0, 0, this.codec.encode(message));
            return;
        }
        observer.send(pool, message.topic(), false, (headers) -> {
            byte[] block = MessageHeaders.encode(headers);
            sendBatched(FrameType.MESSAGE, (block != null) ? Frame.FLAG_HEADERS : 0, 0, this.codec.encode(message, block));
            return 1;
        });
    }

    /** Sends a frame and returns once it is written, translating a broken connection into "the parent is gone". */
    public void send(FrameType type, int flags, long correlationId, BodyWriter body) {
        try {
            this.connection.send(type, flags, correlationId, body);
        }
        catch (IOException ex) {
            throw parentGone(ex);
        }
    }

    /** Sends a frame, batched with those that follow when this connection is busy. */
    public void sendBatched(FrameType type, int flags, long correlationId, BodyWriter body) {
        try {
            this.connection.sendBatched(type, flags, correlationId, body);
        }
        catch (IOException ex) {
            throw parentGone(ex);
        }
    }

    /** Sends a frame in a batch that waits a moment for what follows it; see {@link Connection#sendLingering}. */
    void sendLingering(FrameType type, int flags, long correlationId, BodyWriter body) {
        try {
            this.connection.sendLingering(type, flags, correlationId, body);
        }
        catch (IOException ex) {
            throw parentGone(ex);
        }
    }

    private ProcessExitedException parentGone(Exception cause) {
        return new ProcessExitedException("Parent " + this.pid + " is gone: " + cause.getMessage(), this.pid,
                ProcessExitedException.UNKNOWN_EXIT_CODE, List.of());
    }

    @Override
    public Message getNextMessage() {
        refuseWhileDispatched();
        return decode(nextFrameOrFail(null));
    }

    @Override
    public Message getNextMessage(Duration timeout) {
        Objects.requireNonNull(timeout, "'timeout' must not be null");
        refuseWhileDispatched();
        return decode(nextFrameOrFail(timeout));
    }

    /** This is a worker of the pool's: its messages are read by its dispatcher, and no one else. */
    void dispatched(String pool) {
        this.pool = Objects.requireNonNull(pool, "'pool' must not be null");
    }

    /**
     * A listener that read the socket itself would take messages from the dispatcher, which then
     * would never acknowledge them, or a request, which would end the connection.
     */
    private void refuseWhileDispatched() {
        if (this.pool != null) {
            throw new IllegalStateException("In a pool worker the parent's messages go to @IpcListener methods, "
                    + "not to getNextMessage(); for a conversation with the parent, send it a message and take "
                    + "its answer in a listener, or run a WorkerTask with ProcessManager.runProcess");
        }
    }

    private Message decode(Frame frame) {
        if (frame.type() != FrameType.MESSAGE) {
            this.connection.close();
            throw new IpcProtocolException("unexpected " + frame.type() + " frame from the parent");
        }
        return this.codec.decode(frame.body());
    }

    private Frame nextFrameOrFail(@Nullable Duration timeout) {
        try {
            Frame frame = (timeout != null) ? this.connection.readFrame(timeout) : this.connection.readFrame();
            if (frame == null) {
                throw new ProcessExitedException("Parent " + this.pid + " closed the channel", this.pid,
                        ProcessExitedException.UNKNOWN_EXIT_CODE, List.of());
            }
            return frame;
        }
        catch (SocketTimeoutException ex) {
            throw new IpcTimeoutException("No message from the parent within " + timeout);
        }
        catch (InterruptedIOException ex) {
            throw new IpcException("Interrupted while waiting for a message from the parent", ex);
        }
        catch (IpcProtocolException ex) {
            this.connection.close();
            throw ex;
        }
        catch (IOException ex) {
            throw parentGone(ex);
        }
    }

    /**
     * Reads the next frame from the parent into the slot, on the caller's thread; for the listener
     * worker's loop.
     * @return false when the parent closed the channel
     */
    boolean nextFrame(FrameSlot slot) throws IOException {
        return this.connection.readFrame(slot);
    }

    /** Reads ahead while the listener worker's loop runs a listener; see {@link Connection#readAhead}. */
    boolean readAhead(int maxBytes, long budgetNanos) {
        return this.connection.readAhead(maxBytes, budgetNanos);
    }

    /** Takes frames out of those read ahead; see {@link Connection#editAhead}. */
    boolean editAhead(Consumer<Deque<Frame>> edit) {
        return this.connection.editAhead(edit);
    }

    /** Whether {@link #nextFrame} would return without waiting; for the listener worker's loop. */
    boolean hasBufferedFrame() {
        return this.connection.hasBufferedFrame();
    }

    /** Sends what is still batched, then closes the connection. */
    public void close() {
        flush();
        this.connection.close();
    }

    /** Sends what is still batched, waiting for room in the socket if need be. */
    public void flush() {
        try {
            this.connection.flush();
        }
        catch (IOException ex) {
            // the parent is gone; nothing can reach it
        }
    }

    /** For tests that need to put raw bytes on the wire. */
    Connection connection() {
        return this.connection;
    }
}
