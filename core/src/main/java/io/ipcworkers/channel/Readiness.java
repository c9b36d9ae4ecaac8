package io.ipcworkers.channel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Waits until a non-blocking channel can be read (or written) without spinning: a selector of its
 * own, created on first use, so that a wait can have a deadline and ends as soon as the channel is
 * closed. One waiter at a time; the connection's locks make sure of that.
 */
final class Readiness {

    /** Deadline meaning "no deadline". */
    static final long NONE = Long.MAX_VALUE;

    private final SelectableChannel channel;

    private final int operation;

    private volatile @Nullable Selector selector;

    private volatile boolean closed;

    private volatile boolean woken;

    Readiness(SelectableChannel channel, int operation) {
        this.channel = channel;
        this.operation = operation;
    }

    /**
     * Waits until the channel is ready or the deadline ({@link System#nanoTime()} based) passes.
     * @return false when the deadline passed first or {@link #wakeup()} ended the wait; true means
     *     "try again", not a guarantee
     * @throws ClosedChannelException when the connection was closed, before or during the wait
     * @throws InterruptedIOException when a thread waiting for data is interrupted (it stays so); a
     *     thread waiting to write is not stopped by an interrupt, and stays interrupted
     */
    boolean await(long deadlineNanos) throws IOException {
        // a selector returns at once for an interrupted thread: waiting would spin
        if (this.operation == SelectionKey.OP_READ && Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while waiting for data");
        }
        if (deadlineNanos != NONE && this.woken) {
            this.woken = false;
            return false;
        }
        // a frame half written must be finished, or the stream is lost: a writer waits as if not
        // interrupted, and is interrupted again afterwards
        boolean interrupted = this.operation != SelectionKey.OP_READ && Thread.interrupted();
        try {
            Selector selector = selector();
            if (deadlineNanos == NONE) {
                selector.select();
            }
            else {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
            }
            selector.selectedKeys().clear();
            if (deadlineNanos != NONE && this.woken) {
                this.woken = false;
                return false;
            }
        }
        catch (ClosedSelectorException ex) {
            throw new ClosedChannelException();
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (this.closed || !this.channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return true;
    }

    /** Whether the channel is ready now, without waiting; true once it is closed (a read says so). */
    boolean isReadyNow() throws IOException {
        try {
            Selector selector = selector();
            boolean ready = selector.selectNow() > 0;
            selector.selectedKeys().clear();
            return ready;
        }
        catch (ClosedSelectorException | ClosedChannelException ex) {
            return true;
        }
    }

    private synchronized Selector selector() throws IOException {
        if (this.closed) {
            throw new ClosedChannelException();
        }
        Selector selector = this.selector;
        if (selector == null) {
            selector = Selector.open();
            this.channel.register(selector, this.operation);
            this.selector = selector;
        }
        return selector;
    }

    /** Ends the wait with a deadline in progress, or the next one, as if its deadline had passed. */
    void wakeup() {
        this.woken = true;
        Selector selector = this.selector;
        if (selector != null) {
            selector.wakeup();
        }
    }

    /** Ends a wait in progress; also lets the closed channel's descriptor go, which a registration holds. */
    synchronized void close() {
        this.closed = true;
        Selector selector = this.selector;
        if (selector != null) {
            try {
                selector.close();
            }
            catch (IOException ex) {
                // nothing left to release
            }
        }
    }
}
