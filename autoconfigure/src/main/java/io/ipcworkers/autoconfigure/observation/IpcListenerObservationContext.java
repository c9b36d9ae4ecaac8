package io.ipcworkers.autoconfigure.observation;

import io.micrometer.observation.Observation;
import org.springframework.util.Assert;

/** What an {@link IpcObservation#LISTENER} observation is about. */
public class IpcListenerObservationContext extends Observation.Context {

    private final String pool;

    private final String topic;

    public IpcListenerObservationContext(String pool, String topic) {
        Assert.notNull(pool, "'pool' must not be null");
        Assert.notNull(topic, "'topic' must not be null");
        this.pool = pool;
        this.topic = topic;
    }

    /** The name of the pool whose worker sent the message. */
    public String getPool() {
        return this.pool;
    }

    public String getTopic() {
        return this.topic;
    }
}
