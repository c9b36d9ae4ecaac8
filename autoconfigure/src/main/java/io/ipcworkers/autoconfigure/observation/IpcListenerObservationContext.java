package io.ipcworkers.autoconfigure.observation;

import java.util.Map;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import org.springframework.util.Assert;

/**
 * What an {@link IpcObservation#LISTENER} observation is about. Its carrier is the headers the
 * message came with: in a worker, the parent's trace context, which a tracing handler continues.
 */
public class IpcListenerObservationContext extends ReceiverContext<Map<String, String>> {

    private final String pool;

    private final String topic;

    /** @param headers what the message came with (none from a worker) */
    public IpcListenerObservationContext(String pool, String topic, Map<String, String> headers) {
        super((carrier, key) -> carrier.get(key), Kind.CONSUMER);
        Assert.notNull(pool, "'pool' must not be null");
        Assert.notNull(topic, "'topic' must not be null");
        Assert.notNull(headers, "'headers' must not be null");
        this.pool = pool;
        this.topic = topic;
        setCarrier(headers);
    }

    /** The pool the message's worker belongs to. */
    public String getPool() {
        return this.pool;
    }

    public String getTopic() {
        return this.topic;
    }
}
