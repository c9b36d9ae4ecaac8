package io.ipcworkers.codec;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.RemoteListenerException;
import org.jspecify.annotations.Nullable;

/**
 * The payload of an {@code ERROR} frame: why a request failed on the other side. Exceptions never
 * cross the wire as objects; the receiver rebuilds one of its own types from these strings.
 *
 * @param kind {@link #NO_LISTENER}, {@link #CONVERSION}, {@link #EXPIRED} or {@link #LISTENER}; anything
 *     else, or none, is taken for {@link #LISTENER}
 * @param exception the class name of the exception on the other side
 * @param message its message
 */
public record ErrorReply(@Nullable String kind, @Nullable String exception, @Nullable String message) {

    public static final String NO_LISTENER = "no-listener";

    public static final String CONVERSION = "conversion";

    public static final String LISTENER = "listener";

    /** A request its worker did not run: its caller's deadline had passed when the worker reached it. */
    public static final String EXPIRED = "expired";

    private static final int MAX_TEXT_CHARS = 4000;

    public static ErrorReply of(Throwable failure) {
        String kind = (failure instanceof NoListenerException) ? NO_LISTENER
                : (failure instanceof PayloadConversionException) ? CONVERSION : LISTENER;
        return new ErrorReply(kind, failure.getClass().getName(), failure.getMessage());
    }

    /**
     * The exception for the waiting caller.
     * @param topic the request's topic
     * @param source who answered, e.g. "worker thumbnails-1 (pid 1234)"
     */
    public IpcException toException(String topic, String source) {
        // the message and the exception's name come from the other side: bounded, whatever it sent
        String text = (this.message != null) ? truncate(this.message) : "(no message)";
        String type = truncate(String.valueOf(this.exception));
        return switch (String.valueOf(this.kind)) {
            case NO_LISTENER -> new NoListenerException(text + " [" + source + "]");
            case CONVERSION -> new PayloadConversionException(text + " [" + source + "]", null);
            case EXPIRED -> new IpcTimeoutException(text + " [" + source + "]");
            default -> new RemoteListenerException("Listener for topic '" + topic + "' on " + source + " failed: "
                    + type + ": " + text, type);
        };
    }

    private static String truncate(String text) {
        return (text.length() > MAX_TEXT_CHARS) ? text.substring(0, MAX_TEXT_CHARS) + "..." : text;
    }
}
