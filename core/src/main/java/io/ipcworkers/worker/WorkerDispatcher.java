package io.ipcworkers.worker;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameSlot;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.codec.MessageHeaders;
import io.ipcworkers.codec.RequestDeadline;
import io.ipcworkers.dispatch.Callbacks;
import io.ipcworkers.dispatch.ListenerDispatcher;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.pool.PoolObserver;
import org.jspecify.annotations.Nullable;

/**
 * Serves a pool worker's messages: the thread that called {@link #serveUntilStopped()} reads each
 * frame from the socket and handles it, one at a time, in the order they arrived. While a listener
 * runs long the heartbeat thread reads ahead what the parent sends meanwhile, up to a few MiB
 * ({@link Heartbeat}), gives back those the parent revokes for another worker ({@link Revocations}),
 * and interrupts the listener when the parent says nobody waits for its request ({@link RunningRequest});
 * otherwise nothing is queued in this JVM, so a parent that sends faster than the listeners work is
 * slowed down by the socket. Replies and acknowledgements are batched and go out at
 * the latest when the loop waits for more.
 * Acknowledgements are coalesced ({@link Acknowledgements}) and always go out before a reply, so the
 * parent hears of handled messages in the order they were handled.
 */
final class WorkerDispatcher {

    private final String pool;

    private final ConnectedParentProcess parent;

    private final ListenerDispatcher dispatcher;

    private final Acknowledgements acknowledgements;

    private final Revocations revocations;

    private final RunningRequest running = new RunningRequest();

    private final ListenerFailureLog failures;

    /** Where each frame is read: one that came whole in a read block makes no object. */
    private final FrameSlot frame = new FrameSlot();

    private final ReceivedMessage message = new ReceivedMessage(this.frame);

    /** Frames taken so far, for the heartbeat thread to tell a listener that runs long; written by the loop only. */
    private final AtomicLong framesTaken = new AtomicLong();

    /**
     * Where a missing listener was looked for, for its error message; made once, not per message,
     * and without {@code +}, which would set up string concatenation on the worker's way to ready.
     */
    private final String side = "worker pid ".concat(Long.toString(CurrentProcessId.get()));

    WorkerDispatcher(String pool, ConnectedParentProcess parent, ListenerRegistry registry) {
        this(pool, parent, registry, new ListenerFailureLog(System.err));
    }

    WorkerDispatcher(String pool, ConnectedParentProcess parent, ListenerRegistry registry,
            ListenerFailureLog failures) {
        this.pool = pool;
        this.failures = failures;
        this.parent = parent;
        this.dispatcher = new ListenerDispatcher(registry);
        this.acknowledgements = new Acknowledgements(parent);
        this.revocations = new Revocations(parent, this.running);
    }

    Acknowledgements acknowledgements() {
        return this.acknowledgements;
    }

    Revocations revocations() {
        return this.revocations;
    }

    RunningRequest running() {
        return this.running;
    }

    long framesTaken() {
        return this.framesTaken.get();
    }

    /** Handles frames until a SHUTDOWN frame (after the work sent before it) or the connection ends. */
    void serveUntilStopped() {
        try {
            serve();
        }
        catch (ProcessExitedException ex) {
            // an answer or acknowledgement could not be written: the parent is gone, as the next read would
            // say; the worker ends as it does then, not as one whose task failed
            System.err.println("[ipc-workers] Connection to the parent failed: " + ex.getMessage());
        }
    }

    private void serve() {
        long taken = 0;
        FrameSlot frame = this.frame;
        while (true) {
            boolean read;
            try {
                boolean mayWait = !this.parent.hasBufferedFrame();
                if (mayWait) {
                    this.acknowledgements.send(); // the read may wait: the batch is flushed before it does
                }
                Thread.interrupted(); // a listener's leftover interrupt must not end the worker's loop
                read = this.parent.nextFrame(frame);
                if (mayWait) {
                    // a fence after a wait, where the heartbeat thread may have gone to sleep until its beat:
                    // it asks to be woken and then reads this count, so one of the two sees the other
                    this.framesTaken.set(++taken);
                }
                else {
                    this.framesTaken.lazySet(++taken); // no fence on the way of every message: seen in time will do
                }
                this.acknowledgements.messageTaken();
            }
            catch (IOException | RuntimeException ex) {
                // the parent is gone or broke the protocol: nobody could receive results, so stop at once
                System.err.println("[ipc-workers] Connection to the parent failed: " + ex);
                return;
            }
            if (!read || frame.type() == FrameType.SHUTDOWN) {
                this.acknowledgements.send(); // the caller flushes before it closes
                return;
            }
            if (frame.type() == FrameType.REVOKE) {
                this.revocations.answerReached();
                continue;
            }
            if (frame.type() == FrameType.INTERRUPT) {
                continue; // reached here, not read ahead: the requests it names have ended
            }
            if (frame.type() != FrameType.MESSAGE && frame.type() != FrameType.REQUEST) {
                System.err.println("[ipc-workers] Connection to the parent failed: unexpected " + frame.type()
                        + " frame from the parent");
                return;
            }
            handle(frame);
        }
    }

    private void handle(FrameSlot frame) {
        if (frame.type() != FrameType.REQUEST) {
            handle(frame, false);
            return;
        }
        this.running.taken(frame.correlationId());
        try {
            handle(frame, true);
        }
        finally {
            this.running.ended();
        }
    }

    /**
     * Handles a message or request by its topic: the message itself is made only for a listener that
     * takes it or its payload ({@link ReceivedMessage}).
     */
    private void handle(FrameSlot frame, boolean request) {
        MessageCodec codec = this.parent.codec();
        boolean hasDeadline = request && frame.hasFlag(Frame.FLAG_DEADLINE);
        String topic;
        long deadline = 0;
        Map<String, String> headers = Map.of();
        try {
            byte[] body = frame.body();
            int end = frame.length();
            if (hasDeadline) {
                deadline = RequestDeadline.read(body, end);
                end -= RequestDeadline.BYTES;
            }
            if (frame.hasFlag(Frame.FLAG_HEADERS)) {
                MessageHeaders.Read read = MessageHeaders.read(body, end);
                headers = read.headers();
                end = read.messageEnd();
            }
            topic = codec.topic(body, end);
            this.message.of(codec, topic, end);
        }
        catch (IpcProtocolException ex) {
            System.err.println("[ipc-workers] Dropped a malformed message from the parent: " + ex.getMessage());
            if (isTracked(frame)) {
                answer(FrameType.ERROR, 0, frame.correlationId(), codec.encode(Message.of("", ErrorReply.of(ex))));
            }
            return;
        }
        long lateMillis = hasDeadline ? System.currentTimeMillis() - deadline : 0;
        if (lateMillis > 0) {
            expired(frame, topic, lateMillis);
            return;
        }
        if (frame.hasFlag(Frame.FLAG_REDELIVERED)) {
            writeOutAnswers();
        }
        if (request && !this.running.listenerStarts()) {
            cancelled(frame, topic);
            return;
        }
        try {
            if (request) {
                Object reply = dispatch(topic, headers, false);
                answer(FrameType.REPLY, 0, frame.correlationId(), codec.encode(replyTo(topic, reply)));
                return;
            }
            dispatch(topic, headers, !frame.hasFlag(Frame.FLAG_REPLY));
        }
        catch (Exception | Error ex) {
            Callbacks.rethrowIfFatal(ex);
            failed(frame, topic, ex, request && this.running.isCancelled());
            return;
        }
        acknowledge(frame);
    }

    /**
     * Calls the listener of the message's topic, observed when the worker has an observer. The return
     * value of a plain send goes back to the parent inside that observation, so that it carries its trace.
     * @param returnsToParent whether a return value goes back to the parent as a message
     */
    private @Nullable Object dispatch(String topic, Map<String, String> headers, boolean returnsToParent)
            throws Exception {
        PoolObserver observer = this.parent.observer();
        if (observer == null) {
            return returned(topic, listen(topic), returnsToParent, null);
        }
        return observer.listen(this.pool, topic, headers, () -> returned(topic, listen(topic), returnsToParent,
                observer));
    }

    /** Hands the message in the frame slot to its topic's listeners. */
    private @Nullable Object listen(String topic) throws Exception {
        return this.dispatcher.dispatch(topic, this.message, null, this.parent, this.pool, this.side);
    }

    /** Sends a plain send's return value to the parent, observed as a send when there is an observer; returns it. */
    private @Nullable Object returned(String topic, @Nullable Object value, boolean toParent,
            @Nullable PoolObserver observer) {
        if (value == null || !toParent) {
            return value;
        }
        Message answer = replyTo(topic, value);
        if (observer == null) {
            answer(FrameType.MESSAGE, Frame.FLAG_REPLY, 0, this.parent.codec().encode(answer));
            return value;
        }
        observer.send(this.pool, answer.topic(), false, (sentWith) -> {
            byte[] block = MessageHeaders.encode(sentWith);
            answer(FrameType.MESSAGE, Frame.FLAG_REPLY | ((block != null) ? Frame.FLAG_HEADERS : 0), 0,
                    this.parent.codec().encode(answer, block));
            return 1;
        });
        return value;
    }

    /**
     * Before a message another worker died with runs, what this one has answered goes out, batched
     * acknowledgements and replies alike: should this one die in it too, the parent then knows that
     * the messages queued behind it never started here, and does not count its death against them.
     */
    private void writeOutAnswers() {
        try {
            this.acknowledgements.send();
            this.parent.flush();
        }
        catch (RuntimeException ex) {
            // the parent is gone: the loop finds out at its next read
        }
    }

    /**
     * A request whose caller cancelled it before its listener started is not run; its error frees its
     * place in the parent, which drops it.
     */
    private void cancelled(FrameSlot frame, String topic) {
        String why = "Request '" + topic + "' was cancelled by its caller before it started, so it did not run";
        answer(FrameType.ERROR, 0, frame.correlationId(), this.parent.codec()
            .encode(Message.of(topic, new ErrorReply(ErrorReply.LISTENER,
                    CancellationException.class.getName(), why))));
    }

    /**
     * A request whose caller had stopped waiting when this worker reached it (behind slow ones, say)
     * is not run: nobody would take its answer. Its error frees its place in the parent at once.
     */
    private void expired(FrameSlot frame, String topic, long lateMillis) {
        String why = "Request '" + topic + "' expired " + lateMillis + " ms before the worker reached it, "
                + "so it did not run";
        answer(FrameType.ERROR, 0, frame.correlationId(), this.parent.codec()
            .encode(Message.of(topic, new ErrorReply(ErrorReply.EXPIRED,
                    IpcTimeoutException.class.getName(), why))));
    }

    /**
     * Sends a reply or error, after the acknowledgements it must not overtake (see {@link Acknowledgements}).
     * While more requests wait in the buffer, the answer waits a moment for theirs: a backlog of quick
     * requests is answered a few dozen replies to a write, not a write (and a thread woken) every few.
     */
    private void answer(FrameType type, int flags, long correlationId, FrameWriter.BodyWriter body) {
        this.acknowledgements.send();
        if (this.parent.hasBufferedFrame()) {
            this.parent.sendLingering(type, flags, correlationId, body);
        }
        else {
            this.parent.sendBatched(type, flags, correlationId, body);
        }
    }

    /** A listener may return a whole {@link Message}: it is sent as it is (a received payload is not re-encoded). */
    static Message replyTo(String topic, @Nullable Object reply) {
        return (reply instanceof Message message) ? message : Message.of(topic, reply);
    }

    /** Tells the parent a message has been handled; a request's reply or error does that by itself. */
    private void acknowledge(FrameSlot frame) {
        if (frame.type() == FrameType.MESSAGE && isTracked(frame)) {
            this.acknowledgements.handled(frame.correlationId());
        }
    }

    /**
     * Whether the parent keeps this message until it hears of it: a request, or a send (not a parent
     * listener's answer, which takes no room and carries no id).
     */
    private static boolean isTracked(FrameSlot frame) {
        return frame.correlationId() != 0;
    }

    /**
     * A tracked message's failure goes back in an {@code ERROR} frame, which also acknowledges it: a
     * request's caller gets an exception, a send's failure becomes a dead letter in the parent. The
     * stack trace is printed here, the only place that has it (see {@link ListenerFailureLog}), unless
     * the listener failed because its caller cancelled the request and had it interrupted: that answer
     * only frees the request's place in the parent.
     */
    private void failed(FrameSlot frame, String topic, Throwable failure, boolean cancelled) {
        if (!cancelled) {
            print(frame, topic, failure);
        }
        if (isTracked(frame)) {
            answer(FrameType.ERROR, 0, frame.correlationId(),
                    this.parent.codec().encode(Message.of(topic, ErrorReply.of(failure))));
        }
    }

    private void print(FrameSlot frame, String topic, Throwable failure) {
        if (frame.type() == FrameType.MESSAGE) {
            if (failure instanceof NoListenerException noListener) {
                this.failures.noListener(topic, noListener);
            }
            else {
                this.failures.sendFailed(topic, failure);
            }
        }
        else if (!(failure instanceof NoListenerException) && !(failure instanceof PayloadConversionException)) {
            this.failures.requestFailed(topic, failure);
        }
    }
}
