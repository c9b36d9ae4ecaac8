package io.ipcworkers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import io.ipcworkers.codec.MessageCodec;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long string payload written without Jackson's string writer comes out exactly as the mapper would
 * write it, whatever the mapper's set-up; only where that holds is the short cut taken.
 */
class PlainJsonTextTest {

    private static final String BASE64 = base64(48 * 1024);

    private static final List<String> TEXTS = List.of(
            "x".repeat(PlainJsonText.MIN_CHARS), // the shortest taken
            "x".repeat(PlainJsonText.MIN_CHARS - 1), // too short
            BASE64, // '/' and '+' among letters and digits
            BASE64 + "\"" + BASE64, BASE64 + "\\", BASE64 + "\n", "\t" + BASE64, BASE64 + "?", BASE64 + "\u007F",
            BASE64 + "é", BASE64 + "€", BASE64 + "\uD83D\uDE00", BASE64 + "'", "x".repeat(9000) + "\u0000" + "y".repeat(7));

    @Test
    void aLongPlainTextIsWrittenAsTheMapperWouldWhateverItsSetUp() throws IOException {
        for (JsonMapper mapper : mappers()) {
            for (String text : TEXTS) {
                assertThat(new String(payloadJson(mapper, text), java.nio.charset.StandardCharsets.UTF_8))
                    .as("%s with %s", describe(text), mapper.tokenStreamFactory())
                    .isEqualTo(new String(mapper.writeValueAsBytes(text), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void theShortCutIsTakenOnlyWhereItWritesWhatTheMapperWould() {
        JsonMapper plain = JsonMapper.builder().build();
        try (JsonGenerator characters = plain.createGenerator(new java.io.StringWriter())) {
            assertThat(PlainJsonText.write(BASE64, characters, plain)).isFalse(); // it writes no UTF-8 bytes
        }
        assertThat(takesShortCut(plain, "x".repeat(PlainJsonText.MIN_CHARS))).isTrue();
        assertThat(takesShortCut(plain, "x".repeat(PlainJsonText.MIN_CHARS - 1))).isFalse();
        for (String escaped : List.of("\"", "\\", "\n", "\u0000", "\u001F", "\u007F", "?", "é", "€", "\uD83D")) {
            assertThat(takesShortCut(plain, BASE64 + escaped)).as(describe(escaped)).isFalse();
            assertThat(takesShortCut(plain, escaped + BASE64)).as(describe(escaped)).isFalse();
            assertThat(takesShortCut(plain, BASE64.substring(0, 9001) + escaped + BASE64)).as(describe(escaped)).isFalse();
        }
        // in the order of mappers(): whether it takes a base64 text, and one of x's only
        List<List<Boolean>> expected = List.of(List.of(true, true), List.of(false, true), List.of(false, false),
                List.of(true, true), // Jackson treats a highest non-escaped char under 127 as 127: ASCII as ever
                List.of(false, false), List.of(false, false), List.of(false, false));
        List<JsonMapper> mappers = mappers();
        for (int i = 0; i < mappers.size(); i++) {
            assertThat(takesShortCut(mappers.get(i), BASE64)).as("mapper %d", i).isEqualTo(expected.get(i).get(0));
            assertThat(takesShortCut(mappers.get(i), "x".repeat(10_000))).as("mapper %d", i)
                .isEqualTo(expected.get(i).get(1));
        }
    }

    @Test
    void everyByteIsJudgedWhereverItStands() {
        for (int value = 0; value < 256; value++) {
            boolean plain = value >= 0x20 && value < 0x7F && value != '"' && value != '\\' && value != '?';
            for (int at = 0; at < 17; at++) {
                byte[] bytes = "abcdefghijklmnopq".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                bytes[at] = (byte) value;
                assertThat(PlainJsonText.isPlain(bytes, false)).as("byte %d at %d", value, at).isEqualTo(plain);
                assertThat(PlainJsonText.isPlain(bytes, true)).as("byte %d at %d", value, at)
                    .isEqualTo(plain && value != '/');
            }
        }
    }

    /** Jackson's defaults first, then mappers set up to write some strings otherwise. */
    private static List<JsonMapper> mappers() {
        return List.of(JsonMapper.builder().build(),
                JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES).build(),
                JsonMapper.builder(JsonFactory.builder().characterEscapes(new EscapingX()).build()).build(),
                JsonMapper.builder(JsonFactory.builder().highestNonEscapedChar(0x60).build()).build(),
                JsonMapper.builder(JsonFactory.builder().quoteChar('\'').build()).build(),
                JsonMapper.builder().enable(SerializationFeature.WRAP_ROOT_VALUE).build(),
                JsonMapper.builder().addModule(new SimpleModule().addSerializer(String.class, new Shouting())).build());
    }

    private static byte[] payloadJson(JsonMapper mapper, String text) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        new MessageCodec(mapper).encode(Message.of("t", text)).writeTo(body);
        byte[] bytes = body.toByteArray();
        return java.util.Arrays.copyOfRange(bytes, 3, bytes.length); // after the topic's length and byte
    }

    private static boolean takesShortCut(JsonMapper mapper, String text) {
        try (JsonGenerator generator = mapper.createGenerator(new ByteArrayOutputStream())) {
            return PlainJsonText.write(text, generator, mapper);
        }
    }

    private static String describe(String text) {
        return (text.length() > 20) ? text.length() + " chars ending " + (int) text.charAt(text.length() - 1)
                : "chars " + text.chars().boxed().toList();
    }

    private static String base64(int bytes) {
        byte[] random = new byte[bytes];
        new Random(42).nextBytes(random);
        return Base64.getEncoder().encodeToString(random);
    }

    /** Escapes every 'x', as a factory's character escapes may. */
    static final class EscapingX extends CharacterEscapes {

        private final int[] escapes = standardAsciiEscapesForJSON();

        EscapingX() {
            this.escapes['x'] = CharacterEscapes.ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return this.escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return new SerializedString("\\u0078");
        }
    }

    /** A String serializer of the application's own. */
    static final class Shouting extends ValueSerializer<String> {

        @Override
        public void serialize(String value, JsonGenerator generator, SerializationContext context) {
            generator.writeString(value.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
