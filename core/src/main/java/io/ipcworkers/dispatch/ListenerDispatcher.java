package io.ipcworkers.dispatch;

import java.util.List;

import io.ipcworkers.NoListenerException;
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
        List<ListenerEndpoint> endpoints = this.registry.find(delivery.message().topic(), delivery.pool());
        if (endpoints.isEmpty()) {
            throw new NoListenerException("No listener for topic '" + delivery.message().topic() + "' in pool '"
                    + delivery.pool() + "' (" + side + "; listened topics: " + this.registry.topics() + ")");
        }
        Object reply = null;
        for (ListenerEndpoint endpoint : endpoints) {
            Object result = endpoint.invoke(delivery);
            if (reply == null) {
                reply = result;
            }
        }
        return reply;
    }
}
