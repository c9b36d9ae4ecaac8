package io.ipcworkers.pool;

import java.io.IOException;
import java.time.Duration;

import io.ipcworkers.Message;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.launch.LaunchedChild;
import org.jspecify.annotations.Nullable;

/**
 * What the parent's listeners send one worker in answer to its messages (a listener's return value, or a
 * message it sends its sender), written on the thread that runs the worker's messages through those
 * listeners. While that thread waits for the worker to read, none of the worker's messages is handled:
 * if the worker, for its part, waits for the parent to read (its messages held back), the two wait for
 * each other, which supervision reads from here ({@link #isStalled}).
 */
final class ListenerAnswers {

    private static final long NOT_ANSWERING = Long.MIN_VALUE;

    private final LaunchedChild child;

    private final MessageCodec codec;

    /** Where the worker's messages wait for the parent's listeners. */
    private final SerialExecutor inbound;

    /** Since when an answer to the worker is being written; {@link #NOT_ANSWERING} when none is. */
    private volatile long answeringSinceNanos = NOT_ANSWERING;

    /** Answers not sent because the worker had exited; read and written on its inbound queue. */
    private int lost;

    ListenerAnswers(LaunchedChild child, MessageCodec codec, SerialExecutor inbound) {
        this.child = child;
        this.codec = codec;
        this.inbound = inbound;
    }

    /**
     * Sends a parent listener's return value back; a reply is not acknowledged or tracked.
     * @param headers for the worker's observer ({@link io.ipcworkers.codec.MessageHeaders}, encoded); null for none
     */
    void reply(Message reply, byte @Nullable [] headers) {
        this.answeringSinceNanos = System.nanoTime(); // on the listeners' thread
        try {
            this.child.connection().sendBatched(FrameType.MESSAGE, Frame.FLAG_REPLY | ((headers != null)
                    ? Frame.FLAG_HEADERS : 0), 0, this.codec.encode(reply, headers));
        }
        catch (IOException ex) {
            throw this.child.exitedException("before the reply '" + reply.topic() + "' could be sent",
                    WorkerEnd.EXIT_WAIT_MILLIS);
        }
        finally {
            this.answeringSinceNanos = NOT_ANSWERING;
        }
    }

    /**
     * Marks the start of a message sent to the worker, timed as an answer when a parent listener of the
     * worker's messages sends it: on any other thread it marks nothing.
     * @return whether it marked the start; if so, {@link #sent} marks the end
     */
    boolean sending() {
        if (!this.inbound.isRunningOnCurrentThread()) {
            return false;
        }
        this.answeringSinceNanos = System.nanoTime();
        return true;
    }

    /** The message whose start {@link #sending} marked was written, or failed to be. */
    void sent() {
        this.answeringSinceNanos = NOT_ANSWERING;
    }

    /**
     * Counts an answer that could not be sent because the worker has exited.
     * @return how many were lost so far, this one included
     */
    int lost() {
        return ++this.lost;
    }

    /**
     * Whether the worker and the parent wait for each other, for longer than {@code timeout}: the parent
     * holds back the worker's messages (its listeners' queue for it is full), and the thread that would
     * empty that queue waits to write an answer to the worker, which is not reading: a worker reads only
     * between listener calls, and one still sending waits for the parent to read.
     */
    boolean isStalled(Duration timeout) {
        long since = this.answeringSinceNanos;
        return since != NOT_ANSWERING && this.inbound.isHoldingBack() && System.nanoTime() - since > timeout.toNanos();
    }
}
