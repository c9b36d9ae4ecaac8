package io.ipcworkers.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.ipcworkers.Message;
import tools.jackson.core.type.TypeReference;
import org.jspecify.annotations.Nullable;

/**
 * What {@code request} returns. A caller that blocks on it ({@code get}, {@code join}) reads its
 * worker's connection on its own thread while no other thread does, so the reply wakes the caller
 * itself instead of the pool's reader thread, which would then have to wake the caller: one thread
 * wake-up less per round trip. Stages derived from it are plain futures.
 */
final class ReplyFuture<T> extends CompletableFuture<T> {

    private static final VarHandle READING;

    static {
        try {
            READING = MethodHandles.lookup().findVarHandle(ReplyFuture.class, "reading", Thread.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final PoolWorker worker;

    private final long deadlineNanos;

    private final Class<T> replyType;

    /** For a reply of a generic type: that type ({@link #replyType} is then {@code Object}). */
    private final @Nullable TypeReference<T> genericReplyType;

    private final WorkerPool pool;

    /** The request this future answers: a caller that cancels the future need not have it run. */
    private final InFlight request;

    /** The one caller reading for this reply right now, if any; whoever completes it from elsewhere wakes it. */
    private volatile @Nullable Thread reading;

    ReplyFuture(WorkerPool pool, PoolWorker worker, InFlight request, Class<T> replyType,
            @Nullable TypeReference<T> genericReplyType) {
        this.pool = pool;
        this.worker = worker;
        this.request = request;
        this.deadlineNanos = request.deadlineNanos;
        this.replyType = replyType;
        this.genericReplyType = genericReplyType;
    }

    /** Completes with the worker's answer, converted to the reply type, or with why there is none. */
    void settle(@Nullable Message answer, @Nullable Throwable failure) {
        if (failure != null) {
            completeExceptionally((failure instanceof CompletionException) ? failure : new CompletionException(failure));
            return;
        }
        try {
            complete((this.genericReplyType != null) ? answer.payloadAs(this.genericReplyType)
                    : (this.replyType == Message.class) ? this.replyType.cast(answer) : answer.payloadAs(this.replyType));
        }
        catch (RuntimeException ex) {
            completeExceptionally(new CompletionException(ex));
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        readWhileWaiting(this.deadlineNanos);
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        long start = System.nanoTime();
        readWhileWaiting((nanos < this.deadlineNanos - start) ? start + nanos : this.deadlineNanos);
        return super.get(Math.max(0, nanos - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
    }

    @Override
    public T join() {
        readWhileWaiting(this.deadlineNanos);
        return super.join();
    }

    private void readWhileWaiting(long deadlineNanos) {
        Thread caller = Thread.currentThread();
        if (isDone() || !READING.compareAndSet(this, null, caller)) {
            return; // another caller of this future reads for it; this one just waits
        }
        try {
            if (!isDone()) {
                this.worker.readWhileWaiting(this::isDone, deadlineNanos);
            }
        }
        finally {
            this.reading = null;
        }
    }

    @Override
    public boolean complete(T value) {
        boolean completed = super.complete(value);
        wakeReadingCaller();
        return completed;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean completed = super.completeExceptionally(ex);
        wakeReadingCaller();
        return completed;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            this.pool.cancelled(this.request, mayInterruptIfRunning);
        }
        wakeReadingCaller();
        return cancelled;
    }

    /** A caller reading for this reply would otherwise wait on the socket until its deadline. */
    private void wakeReadingCaller() {
        Thread caller = this.reading;
        if (caller != null && caller != Thread.currentThread()) {
            this.worker.wakeReadingCaller();
        }
    }
}
