package io.ipcworkers.codec;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.RemoteListenerException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The other side's account of a failed request becomes one of our exceptions, bounded in size. */
class ErrorReplyTest {

    @Test
    void eachKindBecomesItsException() {
        assertThat(new ErrorReply(ErrorReply.NO_LISTENER, "x.NoListenerException", "No listener for topic 't'")
            .toException("t", "worker w-1")).isInstanceOf(NoListenerException.class)
            .hasMessage("No listener for topic 't' [worker w-1]");
        assertThat(new ErrorReply(ErrorReply.CONVERSION, "x.PayloadConversionException", "Cannot convert")
            .toException("t", "worker w-1")).isInstanceOf(PayloadConversionException.class)
            .hasMessage("Cannot convert [worker w-1]");
        assertThat(new ErrorReply(ErrorReply.EXPIRED, "x.IpcTimeoutException", "Request 't' expired 3 ms before the "
                + "worker reached it, so it did not run").toException("t", "worker w-1"))
            .isInstanceOf(IpcTimeoutException.class)
            .hasMessage("Request 't' expired 3 ms before the worker reached it, so it did not run [worker w-1]");
        IpcException failure = new ErrorReply(ErrorReply.LISTENER, "java.lang.IllegalStateException", "boom")
            .toException("resize", "worker w-1");
        assertThat(failure).isInstanceOf(RemoteListenerException.class)
            .hasMessage("Listener for topic 'resize' on worker w-1 failed: java.lang.IllegalStateException: boom");
        assertThat(((RemoteListenerException) failure).getRemoteExceptionType())
            .isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void anUnknownOrMissingKindIsAListenerFailure() {
        IpcException failure = new ErrorReply(null, null, null).toException("t", "worker w-1");
        assertThat(failure).isInstanceOf(RemoteListenerException.class)
            .hasMessage("Listener for topic 't' on worker w-1 failed: null: (no message)");
        assertThat(new ErrorReply("something-new", "E", "m").toException("t", "w"))
            .isInstanceOf(RemoteListenerException.class);
    }

    @Test
    void messageAndExceptionTypeFromTheOtherSideAreCutToFourThousandCharacters() {
        String longText = "m".repeat(100_000);
        String longType = "t".repeat(100_000);
        RemoteListenerException failure = (RemoteListenerException) new ErrorReply(ErrorReply.LISTENER, longType,
                longText).toException("t", "w");
        assertThat(failure.getRemoteExceptionType()).hasSize(4000 + 3).endsWith("t...");
        assertThat(failure.getMessage()).hasSizeLessThan(8100).endsWith("m...");
        assertThat(new ErrorReply(ErrorReply.NO_LISTENER, "E", longText).toException("t", "w").getMessage())
            .hasSize(4000 + 3 + " [w]".length());
    }
}
