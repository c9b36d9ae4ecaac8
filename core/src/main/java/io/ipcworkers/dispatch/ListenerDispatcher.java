package io.ipcworkers.dispatch;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.ParentProcess;
import org.jspecify.annotations.Nullable;

/**
 * Hands a delivery to the listeners of its topic, in registration order, and returns the reply: the
 * first non-null return value. The first listener that throws ends the dispatch.
 */
public final class ListenerDispatcher {

    private final ListenerRegistry registry;

    public ListenerDispatcher(ListenerRegistry registry) {
        this.registry = registry;
    }

    public ListenerRegistry registry() {
        return this.registry;
    }

    /**
     * @return the reply, or {@code null} when no listener returned one
     * @throws NoListenerException when no listener handles the topic (for this pool)
     * @throws Exception what a listener threw
     */
    public @Nullable Object dispatch(Delivery delivery, String side) throws Exception {
        return dispatch(delivery.message().topic(), delivery, delivery.sender(), delivery.parent(), delivery.pool(),
                side);
    }

    /**
     * {@link #dispatch(Delivery, String)}, given the delivery's parts: a worker makes no object per
     * message to hold them, nor the message itself unless a listener takes it or its payload (what a
     * worker allocates costs it most while its heap grows; benchmarks/README.md, items 64 and 67).
     */
    public @Nullable Object dispatch(String topic, MessageSource message, @Nullable ChildProcess sender,
            @Nullable ParentProcess parent, String pool, String side) throws Exception {
        // the registry's own list, filtered here: no list of the accepted ones made for every message
        boolean handled = false;
        Object reply = null;
        for (ListenerEndpoint endpoint : this.registry.endpoints(topic)) {
            if (endpoint.accepts(pool)) {
                handled = true;
                Object result = endpoint.invoke(message, sender, parent);
                if (reply == null) {
                    reply = result;
                }
            }
        }
        if (!handled) {
            throw new NoListenerException("No listener for topic '" + topic + "' in pool '" + pool + "' ("
                    + side + "; listened topics: " + this.registry.topics() + ")");
        }
        return reply;
    }
}
