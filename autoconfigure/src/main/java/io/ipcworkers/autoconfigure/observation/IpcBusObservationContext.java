package io.ipcworkers.autoconfigure.observation;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import org.springframework.util.Assert;

/**
 * What an {@link IpcObservation#BUS} observation is about. Its carrier is the headers that go with
 * the message to its worker: a tracing handler puts the trace context there, and the worker's
 * listener observation continues that trace.
 */
public class IpcBusObservationContext extends SenderContext<Map<String, String>> {

    private final String pool;

    private final String topic;

    private final String operation;

    /**
     * @param operation {@code send}, {@code broadcast} or {@code request}
     */
    public IpcBusObservationContext(String pool, String topic, String operation) {
        super((carrier, key, value) -> {
            if (carrier != null) {
                carrier.put(key, value);
            }
        }, Kind.PRODUCER);
        Assert.notNull(pool, "'pool' must not be null");
        Assert.notNull(topic, "'topic' must not be null");
        Assert.notNull(operation, "'operation' must not be null");
        this.pool = pool;
        this.topic = topic;
        this.operation = operation;
        setCarrier(new HashMap<>());
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
