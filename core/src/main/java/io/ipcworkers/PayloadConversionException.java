package io.ipcworkers;

import org.jspecify.annotations.Nullable;

/**
 * A message payload could not be converted to the type a receiver asked for, or an outgoing payload
 * could not be written as JSON. The message names the topic, the type and Jackson's reason.
 */
public class PayloadConversionException extends IpcException {

    private static final long serialVersionUID = 1L;

    public PayloadConversionException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
