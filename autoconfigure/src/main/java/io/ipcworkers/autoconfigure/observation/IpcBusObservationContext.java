package io.ipcworkers.autoconfigure.observation;

import io.micrometer.observation.Observation;
import org.springframework.util.Assert;

/** What an {@link IpcObservation#BUS} observation is about. */
public class IpcBusObservationContext extends Observation.Context {

    private final String pool;

    private final String topic;

    private final String operation;

    /**
     * @param operation {@code send}, {@code broadcast} or {@code request}
     */
    public IpcBusObservationContext(String pool, String topic, String operation) {
        Assert.notNull(pool, "'pool' must not be null");
        Assert.notNull(topic, "'topic' must not be null");
        Assert.notNull(operation, "'operation' must not be null");
        this.pool = pool;
        this.topic = topic;
        this.operation = operation;
    }

    public String getPool() {
        return this.pool;
    }

    public String getTopic() {
        return this.topic;
    }

    /** {@code send}, {@code broadcast} or {@code request}. */
    public String getOperation() {
        return this.operation;
    }
}
