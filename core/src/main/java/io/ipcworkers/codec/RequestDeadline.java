package io.ipcworkers.codec;

import java.io.IOException;
import java.io.OutputStream;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.channel.Frame;

/**
 * The deadline a request carries to its worker, so that the worker does not run a request whose
 * caller has stopped waiting: behind a slow one, say. A request frame with {@link Frame#FLAG_DEADLINE}
 * ends with its caller's deadline in milliseconds since the epoch, 8 bytes big-endian, after the
 * message. Parent and worker read the same clock: they run on one machine.
 */
public final class RequestDeadline {

    /** Length of the deadline at the end of the body. */
    public static final int BYTES = 8;

    private RequestDeadline() {
    }

    /** Writes the deadline after a request's message ({@link MessageCodec#encodeRequest}). */
    static void write(OutputStream out, long epochMillis) throws IOException {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (epochMillis >>> shift));
        }
    }

    /**
     * The deadline at the end of a body with {@link Frame#FLAG_DEADLINE}.
     * @throws IpcProtocolException when the body is too short to hold one
     */
    public static long read(byte[] body) {
        return read(body, body.length);
    }

    /** {@link #read(byte[])} for a body that is the first {@code length} bytes of the array. */
    public static long read(byte[] body, int length) {
        if (length < BYTES) {
            throw new IpcProtocolException("malformed request: a body of " + length
                    + " bytes cannot hold its 8-byte deadline");
        }
        long millis = 0;
        for (int i = length - BYTES; i < length; i++) {
            millis = (millis << 8) | (body[i] & 0xFF);
        }
        return millis;
    }
}
