package io.ipcworkers.codec;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.channel.Frame;
import org.jspecify.annotations.Nullable;

/**
 * Headers a pool's message carries to its worker beside its payload: the trace context of what sent
 * it, so that the worker's work on it is part of the same trace. A {@code MESSAGE} or {@code REQUEST}
 * frame with {@link Frame#FLAG_HEADERS} has them after its message (and before a request's deadline,
 * {@link RequestDeadline}): for each header a 1-byte key length, the key, a 2-byte value length and the
 * value (UTF-8, big-endian lengths), then the length of all that in 2 bytes.
 */
public final class MessageHeaders {

    /** Most headers a message carries. */
    public static final int MAX_HEADERS = 32;

    /** Longest value, in UTF-8 bytes (W3C's {@code baggage} is bounded at 8,192). */
    public static final int MAX_VALUE_BYTES = 8192;

    /** Longest block, lengths included; it must fit its own 2-byte length. */
    public static final int MAX_BLOCK_BYTES = 0xFFFF;

    private MessageHeaders() {
    }

    /**
     * The block to write after a message, or null when there are no headers. Headers past the bounds
     * (more than {@link #MAX_HEADERS}, an empty key or one over 255 bytes, a value over
     * {@link #MAX_VALUE_BYTES}, a block over {@link #MAX_BLOCK_BYTES}) are left out: a message is not
     * refused for the number or size of what an observer added to it (the block does count towards the
     * frame's maximum length, as the payload does).
     */
    public static byte @Nullable [] encode(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        byte[][] parts = new byte[Math.min(headers.size(), MAX_HEADERS) * 2][];
        int count = 0;
        int length = 0;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            byte[] key = header.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
            int size = 1 + key.length + 2 + value.length;
            if (key.length == 0 || key.length > 255 || value.length > MAX_VALUE_BYTES || length + size + 2 > MAX_BLOCK_BYTES) {
                continue;
            }
            parts[count * 2] = key;
            parts[count * 2 + 1] = value;
            length += size;
            if (++count == MAX_HEADERS) {
                break;
            }
        }
        if (count == 0) {
            return null;
        }
        byte[] block = new byte[length + 2];
        int at = 0;
        for (int part = 0; part < count * 2; part += 2) {
            block[at++] = (byte) parts[part].length;
            System.arraycopy(parts[part], 0, block, at, parts[part].length);
            at += parts[part].length;
            at = writeShort(block, at, parts[part + 1].length);
            System.arraycopy(parts[part + 1], 0, block, at, parts[part + 1].length);
            at += parts[part + 1].length;
        }
        writeShort(block, at, length);
        return block;
    }

    private static int writeShort(byte[] into, int at, int value) {
        into[at] = (byte) (value >>> 8);
        into[at + 1] = (byte) value;
        return at + 2;
    }

    private static int readShort(byte[] from, int at) {
        return ((from[at] & 0xFF) << 8) | (from[at + 1] & 0xFF);
    }

    /**
     * The headers whose block ends at {@code end} of a frame body, and where the message before them ends.
     * @throws IpcProtocolException when the block does not fit the body or does not parse
     */
    public static Read read(byte[] body, int end) {
        if (end < 2 || end > body.length) {
            throw malformed("a body of " + end + " bytes cannot hold its headers' length");
        }
        int length = readShort(body, end - 2);
        int start = end - 2 - length;
        if (start < 0) {
            throw malformed("headers of " + length + " bytes in a body of " + end);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int at = start;
        int blockEnd = end - 2;
        while (at < blockEnd) {
            if (headers.size() == MAX_HEADERS) {
                throw malformed("more than " + MAX_HEADERS + " headers");
            }
            int keyLength = body[at++] & 0xFF;
            if (keyLength == 0 || blockEnd - at < keyLength + 2) {
                throw malformed("a header's key of " + keyLength + " bytes does not fit");
            }
            String key = new String(body, at, keyLength, StandardCharsets.UTF_8);
            at += keyLength;
            int valueLength = readShort(body, at);
            at += 2;
            if (valueLength > MAX_VALUE_BYTES || blockEnd - at < valueLength) {
                throw malformed("the value of header '" + key + "', of " + valueLength + " bytes, does not fit");
            }
            headers.put(key, new String(body, at, valueLength, StandardCharsets.UTF_8));
            at += valueLength;
        }
        return new Read(Collections.unmodifiableMap(headers), start);
    }

    private static IpcProtocolException malformed(String why) {
        return new IpcProtocolException("malformed message headers: " + why);
    }

    /**
     * @param headers by key, in the order they were written
     * @param messageEnd where the message before the headers ends in the body
     */
    public record Read(Map<String, String> headers, int messageEnd) {
    }
}
