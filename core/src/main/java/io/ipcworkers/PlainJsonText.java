package io.ipcworkers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.json.UTF8JsonGenerator;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.ser.jdk.StringSerializer;

/**
 * Writes a long string payload that JSON carries as it is (printable ASCII, nothing to escape) without
 * Jackson's string writer: its bytes go to the generator in one piece, between the quotes the
 * generator writes. Jackson's writer looks at every character on its own, at about a nanosecond each
 * on JDK 17, and C2 on JDK 25 compiles it to code three to four times slower than that
 * ({@code benchmarks/README.md}, "The same workload on JDK 25"). Used only where the result is what
 * the mapper would write itself: its serializer for a root {@code String} is Jackson's own, the value is
 * not wrapped in a root name, strings are quoted with {@code "}, and the generator (one of the mapper's
 * factory, as the codec's are) escapes nothing the text holds. Anything else (a short string, any
 * character to escape, a mapper or generator set up otherwise) goes through Jackson.
 */
final class PlainJsonText {

    /** Below this, Jackson's writer costs a few microseconds at most: not worth the checks. */
    static final int MIN_CHARS = 8192;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long ONES = 0x0101010101010101L;

    private static final long HIGH_BITS = 0x8080808080808080L;

    private PlainJsonText() {
    }

    /**
     * Writes the text as the mapper would, if it can do so without Jackson's string writer.
     * @return false when it wrote nothing: the caller writes the value through the mapper
     */
    static boolean write(String text, JsonGenerator generator, JsonMapper mapper) {
        if (text.length() < MIN_CHARS || !(generator instanceof UTF8JsonGenerator json)
                || json.getCharacterEscapes() != null || escapesPrintableAscii(json.getHighestNonEscapedChar())
                || !writesRootStringsPlainly(mapper)) {
            return false;
        }
        // a character past Latin-1 becomes '?', which is why a '?' sends the text through Jackson
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (!isPlain(bytes, json.isEnabled(JsonWriteFeature.ESCAPE_FORWARD_SLASHES))) {
            return false;
        }
        generator.writeRawUTF8String(bytes, 0, bytes.length);
        return true;
    }

    private static boolean escapesPrintableAscii(int highestNonEscapedChar) {
        return highestNonEscapedChar != 0 && highestNonEscapedChar < 0x7E;
    }

    private static boolean writesRootStringsPlainly(JsonMapper mapper) {
        return mapper.tokenStreamFactory().rebuild().quoteChar() == '"'
                && !mapper.isEnabled(SerializationFeature.WRAP_ROOT_VALUE)
                && mapper.serializationConfig().getFullRootName() == null
                && mapper._serializationContext().findTypedValueSerializer(String.class, true).getClass()
                        == StringSerializer.class;
    }

    /**
     * Whether every byte is printable ASCII that a JSON string holds as it is: 0x20 to 0x7E, except
     * {@code "}, {@code \}, {@code ?} and, when the generator escapes it, {@code /}. Eight bytes at a time.
     */
    static boolean isPlain(byte[] bytes, boolean slashEscaped) {
        int i = 0;
        for (; i <= bytes.length - Long.BYTES; i += Long.BYTES) {
            if (needsCare((long) LONGS.get(bytes, i), slashEscaped)) {
                return false;
            }
        }
        for (; i < bytes.length; i++) {
            if (needsCare(bytes[i] & 0xFFL | ~0xFFL & 0x2020202020202020L, slashEscaped)) {
                return false; // one byte, padded with spaces
            }
        }
        return true;
    }

    /** Whether any of the eight bytes is one {@link #isPlain} refuses; each test is exact for "any". */
    private static boolean needsCare(long bytes, boolean slashEscaped) {
        long care = bytes & HIGH_BITS; // 0x80 and over
        care |= (bytes - ONES * 0x20) & ~bytes & HIGH_BITS; // under 0x20 (exact once none is 0x80 or over)
        care |= hasByte(bytes, '"') | hasByte(bytes, '\\') | hasByte(bytes, '?') | hasByte(bytes, 0x7F);
        if (slashEscaped) {
            care |= hasByte(bytes, '/');
        }
        return care != 0;
    }

    private static long hasByte(long bytes, int value) {
        long zeroWhereEqual = bytes ^ (ONES * value);
        return (zeroWhereEqual - ONES) & ~zeroWhereEqual & HIGH_BITS;
    }
}
