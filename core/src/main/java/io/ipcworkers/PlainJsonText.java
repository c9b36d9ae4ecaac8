package io.ipcworkers;

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

    private static final boolean[] REFUSED = refused(false);

    private static final boolean[] REFUSED_WITH_SLASH = refused(true);

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
     * {@code "}, {@code \}, {@code ?} and, when the generator escapes it, {@code /}. A table lookup per
     * byte, eight to a test: on a MiB of text this is faster than testing eight bytes at a time in a
     * {@code long} at every stage of the JIT, not only once C2 has compiled it (JDK 17 and 25: 0.23 against
     * 0.40-0.43 ms in C2's code, 0.9 against 2.0-2.4 ms in C1's profiling code, which runs until then, and
     * 12-17 against 156 ms in the interpreter, where each {@code VarHandle} read is a chain of calls).
     */
    static boolean isPlain(byte[] bytes, boolean slashEscaped) {
        boolean[] refused = slashEscaped ? REFUSED_WITH_SLASH : REFUSED;
        int i = 0;
        for (; i <= bytes.length - 8; i += 8) {
            if (refused[bytes[i] & 0xFF] | refused[bytes[i + 1] & 0xFF] | refused[bytes[i + 2] & 0xFF]
                    | refused[bytes[i + 3] & 0xFF] | refused[bytes[i + 4] & 0xFF] | refused[bytes[i + 5] & 0xFF]
                    | refused[bytes[i + 6] & 0xFF] | refused[bytes[i + 7] & 0xFF]) {
                return false;
            }
        }
        for (; i < bytes.length; i++) {
            if (refused[bytes[i] & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    /** Which byte values {@link #isPlain} refuses, by unsigned value. */
    private static boolean[] refused(boolean slash) {
        boolean[] refused = new boolean[256];
        for (int value = 0; value < refused.length; value++) {
            refused[value] = value < 0x20 || value > 0x7E || value == '"' || value == '\\' || value == '?'
                    || (slash && value == '/');
        }
        return refused;
    }
}
