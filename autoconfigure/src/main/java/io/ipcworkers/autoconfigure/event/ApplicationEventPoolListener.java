package io.ipcworkers.autoconfigure.event;

import java.util.Locale;

import io.ipcworkers.pool.PoolListener;
import org.springframework.context.ApplicationEventPublisher;

/** Publishes pool events as Spring application events, for {@code @EventListener} methods. */
public class ApplicationEventPoolListener implements PoolListener {

    private final ApplicationEventPublisher publisher;

    public ApplicationEventPoolListener(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void workerStarted(String pool, String worker, long pid) {
        this.publisher.publishEvent(new WorkerStartedEvent(pool, worker, pid));
    }

    @Override
    public void workerExited(String pool, String worker, long pid, int exitCode, String cause, String description) {
        WorkerExitedEvent.Cause kind = WorkerExitedEvent.Cause.valueOf(cause.toUpperCase(Locale.ROOT));
        this.publisher.publishEvent(new WorkerExitedEvent(pool, worker, pid, exitCode, kind, description));
    }

    @Override
    public void poolDown(String pool, String reason) {
        this.publisher.publishEvent(new PoolDownEvent(pool, reason));
    }

    @Override
    public void poolUp(String pool) {
        this.publisher.publishEvent(new PoolUpEvent(pool));
    }
}
