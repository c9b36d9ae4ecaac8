package io.ipcworkers.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcException;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameHandler;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.launch.LaunchedChild;
import org.jspecify.annotations.Nullable;

/**
 * One worker JVM of a pool, as the parent sees it: sends messages and requests, matches replies to
 * requests by correlation id, hands the worker's own messages to the parent's listeners in order,
 * and, when the worker dies, fails every request still waiting on it with the exit code and stderr.
 */
final class PoolWorker implements ChildProcess, FrameHandler {

    private static final long EXIT_WAIT_MILLIS = 2000;

    private final WorkerPool pool;

    private final int slot;

    private final LaunchedChild child;

    private final MessageCodec codec;

    private final SerialExecutor inbound;

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private final CompletableFuture<Integer> exit;

    private final AtomicLong handled = new AtomicLong();

    private volatile Set<String> topics = Set.of();

    private final long startedNanos = System.nanoTime();

    private volatile boolean closed;

    private record Pending(String topic, CompletableFuture<Message> reply, @Nullable ScheduledFuture<?> timeout) {
    }

    PoolWorker(WorkerPool pool, int slot, LaunchedChild child, MessageCodec codec, SerialExecutor inbound) {
        this.pool = pool;
        this.slot = slot;
        this.child = child;
        this.codec = codec;
        this.inbound = inbound;
        this.exit = child.process().onExit().thenApply(Process::exitValue);
    }

    void startReading() {
        this.child.connection().startReading(this, "ipc-reader-" + this.child.name());
    }

    /** Waits for the worker's READY frame; fails with why it never came. */
    void awaitReady(Duration timeout) {
        try {
            this.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (java.util.concurrent.TimeoutException ex) {
            this.child.kill();
            throw new IpcTimeoutException(this.child.describe() + " did not become ready within " + timeout
                    + " (raise start-timeout for slow-starting workers)");
        }
        catch (java.util.concurrent.ExecutionException ex) {
            throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
                    : new IpcException("Worker failed to start", ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while starting " + this.child.describe(), ex);
        }
    }

    String pool() {
        return this.pool.name();
    }

    int slot() {
        return this.slot;
    }

    int inFlight() {
        return this.pending.size();
    }

    long handledCount() {
        return this.handled.get();
    }

    Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - this.startedNanos);
    }

    boolean isUsable() {
        return !this.closed && this.ready.isDone() && !this.ready.isCompletedExceptionally();
    }

    void send(Message message) {
        write(FrameType.MESSAGE, 0, 0, message);
    }

    void sendReply(String topic, Object reply) {
        write(FrameType.MESSAGE, Frame.FLAG_REPLY, 0, Message.of(topic, reply));
    }

    void shutdown() {
        try {
            this.child.connection().send(FrameType.SHUTDOWN, 0, 0, io.ipcworkers.channel.FrameWriter.BodyWriter.EMPTY);
        }
        catch (IOException ex) {
            // already gone
        }
    }

    CompletableFuture<Message> request(long correlationId, Message message, Duration timeout) {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        ScheduledFuture<?> timer = this.pool.scheduler().schedule(() -> timedOut(correlationId, timeout),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        Pending request = new Pending(message.topic(), reply, timer);
        this.pending.put(correlationId, request);
        try {
            write(FrameType.REQUEST, 0, correlationId, message);
        }
        catch (RuntimeException ex) {
            this.pending.remove(correlationId);
            timer.cancel(false);
            throw ex;
        }
        if (this.closed && this.pending.remove(correlationId, request)) {
            // the worker died between registration and write: nobody else will fail this request
            timer.cancel(false);
            reply.completeExceptionally(this.child.exitedException("while request '" + message.topic()
                    + "' was sent", EXIT_WAIT_MILLIS));
        }
        return reply;
    }

    private void timedOut(long correlationId, Duration timeout) {
        Pending request = this.pending.remove(correlationId);
        if (request != null) {
            request.reply().completeExceptionally(new IpcTimeoutException("Request '" + request.topic() + "' to "
                    + this.child.describe() + " got no reply within " + timeout));
            this.pool.requestFinished();
        }
    }

    private void write(FrameType type, int flags, long correlationId, Message message) {
        try {
            this.child.connection().send(type, flags, correlationId, this.codec.encode(message));
        }
        catch (IOException ex) {
            throw this.child.exitedException("before message '" + message.topic() + "' could be sent",
                    EXIT_WAIT_MILLIS);
        }
    }

    @Override
    public void onFrame(Frame frame) {
        switch (frame.type()) {
            case READY -> {
                this.topics = readyTopics(this.codec.decode(frame.body()));
                this.ready.complete(null);
            }
            case MESSAGE -> {
                Message message = this.codec.decode(frame.body());
                boolean isReply = frame.hasFlag(Frame.FLAG_REPLY);
                this.inbound.execute(() -> this.pool.inbound().handle(this, message, isReply));
            }
            case REPLY -> complete(frame, null);
            case ERROR -> complete(frame, this.codec.decode(frame.body()));
            default -> throw new IpcProtocolException("unexpected " + frame.type() + " frame");
        }
    }

    /** The topics a worker announces in its READY frame; untrusted, so only strings are kept. */
    private static Set<String> readyTopics(Message ready) {
        Object payload = ready.payload();
        if (payload instanceof Map<?, ?> map && map.get("topics") instanceof Collection<?> topics) {
            Set<String> names = new HashSet<>();
            for (Object topic : topics) {
                if (topic instanceof String name) {
                    names.add(name);
                }
            }
            return Set.copyOf(names);
        }
        throw new IpcProtocolException("malformed READY frame: no topic list");
    }

    /** Whether this worker has a listener for the topic. */
    boolean listensTo(String topic) {
        return this.topics.contains(topic);
    }

    Set<String> topics() {
        return this.topics;
    }

    private void complete(Frame frame, @Nullable Message error) {
        Pending request = this.pending.remove(frame.correlationId());
        if (request == null) {
            return; // timed out already, or a worker answering what it was never asked
        }
        if (request.timeout() != null) {
            request.timeout().cancel(false);
        }
        this.handled.incrementAndGet();
        if (error == null) {
            request.reply().complete(this.codec.decode(frame.body()));
        }
        else {
            ErrorReply reply = error.payloadAs(ErrorReply.class);
            request.reply().completeExceptionally(reply.toException(request.topic(), describeLowercase()));
        }
        this.pool.requestFinished();
    }

    @Override
    public void onClosed(@Nullable Throwable cause) {
        this.closed = true;
        if (cause != null && this.child.process().isAlive()) {
            System.getLogger(PoolWorker.class.getName()).log(System.Logger.Level.ERROR,
                    this.child.describe() + " broke the protocol and is stopped: " + cause.getMessage());
            this.child.kill();
        }
        LaunchedChild.ExitReport report = this.child.exitReport(EXIT_WAIT_MILLIS);
        this.ready.completeExceptionally(this.child.exitedException("before it was ready", report));
        for (Long id : List.copyOf(this.pending.keySet())) {
            Pending request = this.pending.remove(id);
            if (request != null) {
                if (request.timeout() != null) {
                    request.timeout().cancel(false);
                }
                ProcessExitedException failure = this.child.exitedException("while request '" + request.topic()
                        + "' was in flight", report);
                request.reply().completeExceptionally(failure);
            }
        }
        this.pool.workerExited(this, report);
    }

    private String describeLowercase() {
        String description = this.child.describe();
        return Character.toLowerCase(description.charAt(0)) + description.substring(1);
    }

    /** Stops the process: SIGTERM, then SIGKILL after the grace period. */
    void stopProcess(Duration grace) {
        this.child.closeStdin();
        try {
            if (!this.child.process().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                this.child.kill();
                this.child.process().waitFor(2, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            this.child.kill();
        }
    }

    LaunchedChild launched() {
        return this.child;
    }

    // ChildProcess: what parent listeners see as the sender

    @Override
    public long getId() {
        return this.child.pid();
    }

    @Override
    public void sendMessage(Message message) {
        send(message);
    }

    @Override
    public Message getNextMessage() {
        throw new UnsupportedOperationException("Messages from pool workers go to @IpcListener methods");
    }

    @Override
    public Message getNextMessage(Duration timeout) {
        throw new UnsupportedOperationException("Messages from pool workers go to @IpcListener methods");
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

    @Override
    public String toString() {
        return this.child.describe();
    }
}
