package io.ipcworkers;

import org.jspecify.annotations.Nullable;

/**
 * Creates {@link Message messages}; the injectable counterpart of {@link Message#of(String, Object)},
 * for code that prefers a collaborator to a static factory (and for parity with the seed library).
 */
public class MessageFactory implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** A message with the given topic and payload; see {@link Message#of(String, Object)}. */
    public Message create(String topic, @Nullable Object payload) {
        return Message.of(topic, payload);
    }
}
