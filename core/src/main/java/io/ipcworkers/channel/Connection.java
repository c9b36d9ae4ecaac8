package io.ipcworkers.channel;

import java.io.IOException;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * One authenticated, bidirectional frame channel between a parent and one child. The seam for other
 * transports: everything above this interface works with frames, not sockets.
 */
public interface Connection extends AutoCloseable {

    /** A connection that is already closed: sends fail, reading ends at once. */
    Connection CLOSED = new ClosedConnection();

    /** Sends one frame, with any batched before it, and returns once it is written; thread-safe. */
    void send(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body) throws IOException;

    /**
     * Sends one frame, possibly in a batch with the frames that follow it: written at once when the
     * connection is idle, within moments otherwise. Order with every other send is kept; thread-safe.
     */
    default void sendBatched(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
            throws IOException {
        send(type, flags, correlationId, body);
    }

    /**
     * Sends one frame in a batch that waits a moment for the frames that follow, rather than being
     * written at once: for a sender with more to do first (a worker answering a backlog of requests),
     * which would otherwise have the batch written every few frames. Order with every other send is
     * kept; thread-safe.
     */
    default void sendLingering(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
            throws IOException {
        sendBatched(type, flags, correlationId, body);
    }

    /**
     * Sends one frame to a peer that still has frames sent earlier to work through (a pool worker with
     * messages it has not acknowledged): batched as {@link #sendBatched} batches on a busy connection, even
     * if this one has been idle for a while, since the frame would only wait on the peer's side, and a
     * write of its own costs the sender a system call and, on few cores, a turn of the peer's threads.
     * Order with every other send is kept; thread-safe.
     */
    default void sendToBusyPeer(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body)
            throws IOException {
        sendBatched(type, flags, correlationId, body);
    }

    /** Writes whatever batched frames have not gone out yet. */
    default void flush() throws IOException {
    }

    /**
     * For a sender about to wait for room to send more: writes what is batched now if that takes no
     * waiting, else leaves it to be written as usual. The sender streams, so the batches it fills
     * after its wait are left to it for a moment rather than written one by one.
     */
    default void flushBeforeWaiting() throws IOException {
    }

    /**
     * Names the process at the other end, as a sentence would begin with it ("Child 1234"), for what
     * this connection logs about it: a send that has waited long for it to read.
     */
    default void describePeer(String description) {
    }

    /** Starts delivering incoming frames to the handler on a reader thread of this connection's own. */
    void startReading(FrameHandler handler, String threadName);

    /**
     * Once {@link #startReading} was called: lets a caller that waits for an answer (a reply, room to
     * send) read on its own thread while no other thread reads, handing frames to the reader thread's
     * handler until {@code answered} says so, the deadline ({@link System#nanoTime()} based) passes,
     * the caller is interrupted or {@code canRead} (asked before each frame) says no. Saves waking a
     * second thread per answer.
     * @return whether this caller read; false when another thread was reading or nobody may
     */
    default boolean readUntil(BooleanSupplier answered, long deadlineNanos, BooleanSupplier canRead) {
        return false;
    }

    /**
     * Has the reader thread stop stepping aside for reading callers and wait on the socket again:
     * for a caller that read for its answer and leaves while more is expected, or that will wait for
     * the reader thread itself. Without it, the reader thread looks within a millisecond.
     */
    default void resumeReader() {
    }

    /** Ends the wait of a caller in {@link #readUntil} whose answer was completed by another thread. */
    default void wakeReadingCaller() {
    }

    /**
     * Reads one frame on the caller's thread; never once {@link #startReading} was called. Batched
     * frames are flushed before the read waits.
     * @return the frame, or {@code null} at end of stream
     */
    @Nullable Frame readFrame() throws IOException;

    /**
     * Like {@link #readFrame()}, into memory that the slot uses again for the next frame: for a reader
     * that handles each frame before it reads the next.
     * @return false at end of stream
     */
    default boolean readFrame(FrameSlot slot) throws IOException {
        Frame frame = readFrame();
        if (frame == null) {
            return false;
        }
        slot.hold(frame);
        return true;
    }

    /**
     * Like {@link #readFrame()}, waiting at most {@code timeout}. A frame that arrives only in part is
     * kept: the next read completes it.
     * @throws java.net.SocketTimeoutException when no whole frame arrived in time
     */
    @Nullable Frame readFrame(java.time.Duration timeout) throws IOException;

    /**
     * Whether a whole frame had arrived and not been read when the last read returned, so that the
     * next read returns it without waiting. For the thread that reads.
     */
    default boolean hasBufferedFrame() {
        return false;
    }

    /**
     * For a connection read with {@link #readFrame()}, while the thread that reads it is busy elsewhere:
     * takes the whole frames that have arrived into memory, at most {@code maxBytes} of them, and
     * waits up to {@code budgetNanos} for the rest of one that has begun, so that the peer's writes go
     * on meanwhile. {@link #readFrame()} returns them first, in order. Does nothing while another
     * thread reads.
     * @return false when another thread was reading, or reading has failed
     */
    default boolean readAhead(int maxBytes, long budgetNanos) {
        return false;
    }

    /**
     * Lets {@code edit} take frames out of those {@link #readAhead} took in and no read has returned
     * yet, under the lock reads take, so that no read returns one meanwhile, and what {@code edit}
     * sends goes out before anything the reading thread sends for a frame it reads next. Does nothing
     * while another thread holds that lock: it is reading, and reaches those frames itself.
     * @return false when another thread was reading
     */
    default boolean editAhead(Consumer<Deque<Frame>> edit) {
        return false;
    }

    boolean isOpen();

    /**
     * Gives back the memory held for reading and writing (a socket connection's ~80 KiB of native
     * buffers), for the thread that reads, once the connection is closed and nothing will be read from
     * it any more: a handle of a finished child may be kept long after.
     * @throws IllegalStateException when the connection is still open
     */
    default void releaseBuffers() {
    }

    /** Bytes read from the peer so far. */
    default long bytesRead() {
        return 0;
    }

    /** Bytes written to the peer so far. */
    default long bytesWritten() {
        return 0;
    }

    /** Closes the connection; a running reader ends and reports {@link FrameHandler#onClosed}. */
    @Override
    void close();
}
