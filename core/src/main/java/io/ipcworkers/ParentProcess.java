package io.ipcworkers;

import java.time.Duration;

/**
 * The parent, seen from a child: the other end of the child's channel. In the parent JVM itself,
 * {@link ProcessManager#getMainProcess()} returns one that knows its pid but has no channel.
 */
public interface ParentProcess {

    /** The parent's operating-system process id. */
    long getId();

    /**
     * Sends a message to the parent. It is written at once when the connection is idle, else batched
     * with the messages sent after it and written within about a millisecond, and in any case before
     * this process waits to read or exits. Messages leave in the order sent. It waits while the
     * connection is full, until the parent reads (see {@link ChildProcess#sendMessage}).
     * @throws ProcessExitedException when the parent is gone
     */
    void sendMessage(Message message);

    /**
     * The next message from the parent, waiting as long as it takes; in a {@code WorkerTask}. In a
     * pool worker the parent's messages go to its {@code @IpcListener} methods instead.
     * @throws ProcessExitedException when the parent closed the channel or exited
     * @throws IllegalStateException in a pool worker
     */
    Message getNextMessage();

    /**
     * The next message from the parent, waiting at most {@code timeout}; in a {@code WorkerTask}.
     * @throws IpcTimeoutException when none arrived in time
     * @throws IllegalStateException in a pool worker
     */
    Message getNextMessage(Duration timeout);
}
