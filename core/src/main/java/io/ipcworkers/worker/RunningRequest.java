package io.ipcworkers.worker;

import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import org.jspecify.annotations.Nullable;

/**
 * The request the serving loop has taken and not yet answered, which the parent may cancel
 * ({@code INTERRUPT}, read ahead by the heartbeat thread while a listener runs long): a listener
 * running it is interrupted, and one not started yet is not started. A request the frames read ahead
 * hold is marked, and not started when the loop takes it; so is one found nowhere, which may be the one
 * the loop has just read and is about to take. An interrupt must reach that listener and
 * no later one: it is given under a lock while the listener runs, and the loop clears its thread's
 * flag under the same lock once the listener has returned. (The worker's socket is non-blocking, and
 * its writes finish whatever the flag says: an interrupt cannot close it.)
 */
final class RunningRequest {

    private static final long NONE = 0; // no tracked message has correlation id 0

    private final Object lock = new Object();

    /** Taken by the loop and not answered, else {@link #NONE}; written by the loop under {@link #lock}. */
    private long id = NONE;

    /** The serving loop's thread. */
    private @Nullable Thread thread;

    /** Whether the listener of {@link #id} runs now; under {@link #lock}. */
    private boolean listening;

    /** Whether the parent cancelled {@link #id}; under {@link #lock}. */
    private boolean cancelled;

    /** Requests read ahead, not taken yet, that the parent cancelled; under {@link #lock}. */
    private final Set<Long> cancelledAhead = new HashSet<>();

    /**
     * Requests the parent cancelled that were neither taken nor read ahead: answered already, or the one
     * the loop has just read and not yet taken (the frame left the read-ahead under the read lock, and is
     * taken a moment later). Only the next request taken can be that one, so it clears them; under
     * {@link #lock}.
     */
    private final Set<Long> cancelledUnseen = new HashSet<>();

    /** Whether either set holds any: the loop skips them, and a revocation the lock, when not. */
    private volatile boolean anyCancelledAhead;

    /** The serving loop has taken this request; {@link #ended()} must follow. */
    void taken(long correlationId) {
        synchronized (this.lock) {
            this.thread = Thread.currentThread();
            this.id = correlationId;
            if (this.anyCancelledAhead) {
                this.cancelled = this.cancelledAhead.remove(correlationId) | this.cancelledUnseen.contains(correlationId);
                this.cancelledUnseen.clear();
                this.anyCancelledAhead = !this.cancelledAhead.isEmpty();
            }
        }
    }

    /**
     * The loop is about to run the listener of the request it took.
     * @return false when the parent cancelled the request: the listener is not to run
     */
    boolean listenerStarts() {
        synchronized (this.lock) {
            this.listening = !this.cancelled;
            return this.listening;
        }
    }

    /** Whether the parent cancelled the request taken: nobody waits for its answer. */
    boolean isCancelled() {
        synchronized (this.lock) {
            return this.cancelled;
        }
    }

    /** The request taken has been answered; on the serving loop's thread. */
    void ended() {
        synchronized (this.lock) {
            this.id = NONE;
            this.listening = false;
            this.cancelled = false;
            Thread.interrupted(); // one given to the listener as it returned is taken back here
        }
    }

    /** Takes the {@code INTERRUPT} frames out of those read ahead and acts on them; for the heartbeat thread. */
    void answerReadAhead(ConnectedParentProcess parent) {
        parent.editAhead(this::takeInterrupts);
    }

    /**
     * An {@code INTERRUPT} follows the requests it names on the wire: each is the one taken, or among
     * the frames read ahead before it, or the one the loop has read and is about to take, or has been
     * answered (nothing to do).
     */
    private void takeInterrupts(Deque<Frame> frames) {
        for (Iterator<Frame> ahead = frames.iterator(); ahead.hasNext();) {
            Frame frame = ahead.next();
            if (frame.type() == FrameType.INTERRUPT) {
                ahead.remove();
                cancel(Revocations.listedIn(frame, "Ignored a malformed interrupt"), frames);
            }
        }
    }

    /** @param ahead the frames read ahead, which may hold some of the requests cancelled */
    void cancel(long[] correlationIds, Iterable<Frame> ahead) {
        synchronized (this.lock) {
            for (long listed : correlationIds) {
                if (listed == NONE) {
                    continue;
                }
                if (listed == this.id) {
                    if (!this.cancelled && this.listening) {
                        Thread serving = this.thread;
                        if (serving != null) {
                            serving.interrupt();
                        }
                    }
                    this.cancelled = true;
                }
                else if (isRequestAhead(listed, ahead)) {
                    this.cancelledAhead.add(listed);
                    this.anyCancelledAhead = true;
                }
                else {
                    this.cancelledUnseen.add(listed);
                    this.anyCancelledAhead = true;
                }
            }
        }
    }

    /** These requests, read ahead, were given back to the parent: none of them will be taken here. */
    void givenBack(long[] correlationIds) {
        if (!this.anyCancelledAhead) {
            return;
        }
        synchronized (this.lock) {
            for (long id : correlationIds) {
                this.cancelledAhead.remove(id);
            }
            this.anyCancelledAhead = !this.cancelledAhead.isEmpty() || !this.cancelledUnseen.isEmpty();
        }
    }

    private static boolean isRequestAhead(long correlationId, Iterable<Frame> ahead) {
        for (Frame frame : ahead) {
            if (frame.type() == FrameType.REQUEST && frame.correlationId() == correlationId) {
                return true;
            }
        }
        return false;
    }
}
