package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Consumer;

import io.ipcworkers.dispatch.Callbacks;
import org.jspecify.annotations.Nullable;

/** Fans pool events out to several listeners; a failing listener is logged and does not stop the others. */
final class CompositePoolListener implements PoolListener {

    private static final System.Logger logger = System.getLogger(CompositePoolListener.class.getName());

    private final List<PoolListener> listeners;

    CompositePoolListener(List<PoolListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(Consumer<PoolListener> event) {
        for (PoolListener listener : this.listeners) {
            try {
                event.accept(listener);
            }
            catch (RuntimeException | Error ex) { // the pool's own bookkeeping goes on after a listener's bug
                Callbacks.rethrowIfFatal(ex);
                logger.log(Level.WARNING, "Pool listener " + listener + " failed", ex);
            }
        }
    }

    @Override
    public void workerStarted(String pool, String worker, long pid) {
        each((listener) -> listener.workerStarted(pool, worker, pid));
    }

    @Override
    public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String description) {
        each((listener) -> listener.workerExited(pool, worker, pid, exitCode, cause, description));
    }

    @Override
    public void poolDown(String pool, String reason) {
        each((listener) -> listener.poolDown(pool, reason));
    }

    @Override
    public void poolUp(String pool) {
        each((listener) -> listener.poolUp(pool));
    }

    @Override
    public void messageSent(String pool, String topic) {
        each((listener) -> listener.messageSent(pool, topic));
    }

    @Override
    public void messageReceived(String pool, String topic) {
        each((listener) -> listener.messageReceived(pool, topic));
    }

    @Override
    public void requestCompleted(String pool, String topic, long nanos, @Nullable Throwable failure) {
        each((listener) -> listener.requestCompleted(pool, topic, nanos, failure));
    }

    @Override
    public void deadLetter(String pool, String topic) {
        each((listener) -> listener.deadLetter(pool, topic));
    }

    @Override
    public void parentListenerFailed(String pool, String topic, Class<? extends Throwable> exception) {
        each((listener) -> listener.parentListenerFailed(pool, topic, exception));
    }

    @Override
    public void messagesMoved(String pool, int count) {
        each((listener) -> listener.messagesMoved(pool, count));
    }

    @Override
    public void answerLost(String pool, String topic) {
        each((listener) -> listener.answerLost(pool, topic));
    }
}
