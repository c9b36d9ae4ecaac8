package io.ipcworkers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A child JVM, seen from its parent: send it messages, read the ones it sends, stop it. Inside a
 * child, the {@code self} handed to a {@link WorkerTask} is also a {@code ChildProcess}, which knows
 * its own pid but exchanges messages only through its {@link ParentProcess}.
 */
public interface ChildProcess {

    /** The child's operating-system process id. */
    long getId();

    /**
     * Sends a message to the child. Returns once the message is queued on the connection: written at
     * once when the connection is idle, else with the messages sent after it, within about a
     * millisecond (or before the sender waits to read). Messages leave in the order sent. Like a
     * socket write, a send that races the child's death may return and the message be lost with it.
     * <p>
     * Like a socket write, too, a send waits while the connection holds as much as it can, until the
     * child reads: and a child reads only when it asks for its next message. A parent that streams to
     * a child that answers each message must read the answers as it goes (or on another thread):
     * otherwise, once both directions are full, each side waits for the other for good. A send that
     * has waited 10 s for the child to read logs a warning naming the child.
     * @throws ProcessExitedException when the child has exited
     * @throws PayloadConversionException when the payload cannot be written as JSON
     * @throws NoListenerException when the child is a pool's worker (the sender a parent listener is
     *     given) and has no listener for the message's topic; nothing is sent
     */
    void sendMessage(Message message);

    /**
     * The next message the child sent, waiting as long as it takes.
     * @throws ProcessExitedException when the child exits before sending another message; names its
     *     pid and exit code, so a wait never hangs on a dead child
     */
    Message getNextMessage();

    /**
     * The next message the child sent, waiting at most {@code timeout}, also while another thread
     * reads this child.
     * @throws IpcTimeoutException when none arrived in time (nothing is lost: a later call gets it)
     * @throws ProcessExitedException when the child exits before sending another message
     */
    Message getNextMessage(Duration timeout);

    /** Whether the child process is still running. */
    boolean isAlive();

    /** Completes with the exit code when the child exits. */
    CompletableFuture<Integer> onExit();

    /**
     * Asks the child to exit (SIGTERM: its shutdown hooks run). On Linux, what it started and left
     * running is stopped once it has exited, as after a crash. A pool's worker does not exit on the
     * signal: it is replaced gracefully, finishing what it holds first.
     */
    void terminate();

    /**
     * Ends the child at once (SIGKILL), and the processes it started: those that are still its
     * descendants at once, and on Linux those that left its process tree once it is dead.
     */
    void kill();
}
