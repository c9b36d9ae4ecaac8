package io.ipcworkers.codec;

import java.nio.ByteBuffer;

import io.ipcworkers.IpcProtocolException;

/**
 * The body of a {@code REVOKE} or {@code REVOKED} frame: correlation ids of messages, 8 bytes
 * big-endian each, nothing else.
 */
public final class MessageIds {

    private MessageIds() {
    }

    public static byte[] encode(long[] ids) {
        ByteBuffer body = ByteBuffer.allocate(ids.length * Long.BYTES);
        for (long id : ids) {
            body.putLong(id);
        }
        return body.array();
    }

    /**
     * @param most how many ids the body may hold: a peer's body is not trusted
     * @throws IpcProtocolException when the body is not a whole number of ids, or holds too many
     */
    public static long[] decode(byte[] body, int most) {
        if (body.length % Long.BYTES != 0) {
            throw new IpcProtocolException("malformed list of message ids: " + body.length
                    + " bytes, not a multiple of 8");
        }
        int count = body.length / Long.BYTES;
        if (count > most) {
            throw new IpcProtocolException("a list of " + count + " message ids, more than the " + most + " expected");
        }
        ByteBuffer buffer = ByteBuffer.wrap(body);
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = buffer.getLong();
        }
        return ids;
    }
}
