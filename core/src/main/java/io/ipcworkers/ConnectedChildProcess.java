package io.ipcworkers;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.Durations;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.launch.LaunchedChild;
import org.jspecify.annotations.Nullable;

/**
 * A child started by {@link ProcessManager#runProcess}. {@link #getNextMessage()} reads the child's
 * next message from the socket on the caller's thread: no reader thread and no hand-off between
 * threads per message. A child that breaks the protocol is stopped, and every later read says why.
 */
final class ConnectedChildProcess implements ChildProcess {

    private static final long EXIT_CODE_WAIT_MILLIS = 2000;

    private final LaunchedChild child;

    private final MessageCodec codec;

    private final CompletableFuture<Integer> exit;

    private static final Duration DRAIN_WAIT = Duration.ofMillis(200);

    /** One reader at a time; guards the fields below. */
    private final ReentrantLock reading = new ReentrantLock();

    /** Frames read off the socket after the child exited, not yet handed out. */
    private final ArrayDeque<Frame> leftovers = new ArrayDeque<>();

    private boolean drained;

    /** Why reading ended for good, once it has; every later read gets the same exception. */
    private volatile @Nullable RuntimeException ended;

    ConnectedChildProcess(LaunchedChild child, MessageCodec codec) {
        this.child = child;
        this.codec = codec;
        this.exit = child.process().onExit().thenApply(Process::exitValue);
    }

    @Override
    public long getId() {
        return this.child.pid();
    }

    @Override
    public void sendMessage(Message message) {
        Objects.requireNonNull(message, "'message' must not be null");
        try {
            this.child.connection().sendBatched(FrameType.MESSAGE, 0, 0, this.codec.encode(message));
        }
        catch (IOException ex) {
            throw this.child.exitedException("before message '" + message.topic() + "' could be sent",
                    EXIT_CODE_WAIT_MILLIS);
        }
    }

    @Override
    public Message getNextMessage() {
        return next(null);
    }

    @Override
    public Message getNextMessage(Duration timeout) {
        return next(Objects.requireNonNull(timeout, "'timeout' must not be null"));
    }

    private Message next(@Nullable Duration timeout) {
        long deadline = (timeout != null) ? System.nanoTime() + Durations.cappedNanos(timeout) : 0;
        lockReading(timeout);
        try {
            RuntimeException failure = this.ended;
            if (failure != null) {
                throw failure;
            }
            Frame frame = this.leftovers.poll();
            if (frame == null) {
                frame = this.drained ? null : readFrame(timeout, deadline);
            }
            if (frame == null) {
                throw end(this.child.exitedException("before sending another message", EXIT_CODE_WAIT_MILLIS));
            }
            if (frame.type() != FrameType.MESSAGE) {
                throw end(brokeProtocol(new IpcProtocolException("unexpected " + frame.type() + " frame")));
            }
            return this.codec.decode(frame.body());
        }
        catch (IpcProtocolException ex) {
            throw end(brokeProtocol(ex));
        }
        finally {
            this.reading.unlock();
        }
    }

    private void lockReading(@Nullable Duration timeout) {
        if (timeout == null) {
            this.reading.lock();
            return;
        }
        try {
            if (!this.reading.tryLock(Durations.cappedNanos(timeout), TimeUnit.NANOSECONDS)) {
                throw new IpcTimeoutException("No message from child " + this.child.pid() + " within " + timeout
                        + " (another thread was reading)");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while waiting for a message from child " + this.child.pid(), ex);
        }
    }

    /** @param deadline when the timeout, counted from the call, passes: a wait for another reader took from it */
    private @Nullable Frame readFrame(@Nullable Duration timeout, long deadline) {
        Connection connection = this.child.connection();
        try {
            return (timeout != null) ? connection.readFrame(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                    : connection.readFrame();
        }
        catch (SocketTimeoutException ex) {
            throw new IpcTimeoutException("No message from child " + this.child.pid() + " within " + timeout);
        }
        catch (InterruptedIOException ex) {
            throw new IpcException("Interrupted while waiting for a message from child " + this.child.pid(), ex);
        }
        catch (IOException ex) {
            throw end(this.child.exitedException("before sending another message (" + ex.getMessage() + ")",
                    EXIT_CODE_WAIT_MILLIS));
        }
    }

    /**
     * Once the child has exited, moves what it sent but nobody read yet off the socket (the kernel
     * holds no more than a socket buffer's worth) and closes the connection, so a long-lived manager
     * does not keep a descriptor per finished child, and a handle its caller keeps holds none of the
     * connection's buffers.
     */
    void drainAfterExit() {
        this.reading.lock();
        try {
            Connection connection = this.child.connection();
            while (this.ended == null && !this.drained) {
                Frame frame = connection.readFrame(DRAIN_WAIT);
                if (frame == null) {
                    this.drained = true;
                }
                else {
                    this.leftovers.add(frame);
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // a timeout (something else holds the socket) or a broken stream: the reader learns on its next read
            this.drained = true;
        }
        finally {
            try {
                closeConnection();
            }
            finally {
                this.reading.unlock();
            }
        }
    }

    /** Stops the child; {@link #end} closes the connection. */
    private IpcProtocolException brokeProtocol(IpcProtocolException cause) {
        this.child.kill();
        return new IpcProtocolException(this.child.describe() + " broke the protocol and was stopped: "
                + cause.getMessage(), cause);
    }

    private RuntimeException end(RuntimeException failure) {
        if (this.ended == null) {
            this.ended = failure;
            closeConnection();
        }
        return this.ended;
    }

    /** Under the read lock: nothing is read from the connection after this. */
    private void closeConnection() {
        Connection connection = this.child.connection();
        connection.close();
        connection.releaseBuffers();
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
