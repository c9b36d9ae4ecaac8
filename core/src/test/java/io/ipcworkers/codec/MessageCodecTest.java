package io.ipcworkers.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MessageCodecTest {

    private final MessageCodec codec = MessageCodec.withDefaultMapper();

    @Test
    void asciiAndNonAsciiTopicsRoundTrip() throws IOException {
        for (String topic : List.of("ping", "grüße/温度", "")) {
            Message decoded = this.codec.decode(bytes(this.codec.encode(Message.of(topic, Map.of("n", 1)))));
            assertThat(decoded.topic()).isEqualTo(topic);
            assertThat(decoded.payload()).isEqualTo(Map.of("n", 1));
        }
    }

    @Test
    void nullPayloadIsWrittenWithoutJacksonAndReadsAsNull() throws IOException {
        Message decoded = this.codec.decode(bytes(this.codec.encode(Message.of("ready", null))));
        assertThat(decoded.payload()).isNull();
    }

    @Test
    void aTopicThatIsNotUtf8IsAProtocolError() {
        byte[] body = { 0, 2, (byte) 0xC3, (byte) 0x28, 'n', 'u', 'l', 'l' };
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> this.codec.decode(body))
            .withMessageContaining("not valid UTF-8");
    }

    @Test
    void handWrittenStringArraysAreJsonThatJacksonReadsBack() {
        List<String> values = List.of("plain", "quote\"d", "back\\slash", "new\nline", "tab\t", "ü", "\u0001");
        String json = MessageCodec.jsonStringArray(values);
        assertThat(JsonMapper.builder().build().readValue(json, List.class)).isEqualTo(values);
    }

    @Test
    void encodeJsonWritesThePayloadAsItIs() throws IOException {
        Message decoded = this.codec.decode(bytes(this.codec.encodeJson("ready", "{\"topics\":[\"a\"]}".getBytes())));
        assertThat(decoded.topic()).isEqualTo("ready");
        assertThat(decoded.payload()).isEqualTo(Map.of("topics", List.of("a")));
    }

    @Test
    void consecutivePayloadsFromOneThreadAreSeparateDocumentsWithNothingBetween() throws IOException {
        for (int i = 0; i < 3; i++) {
            byte[] body = bytes(this.codec.encode(Message.of("t", Map.of("n", i))));
            assertThat(new String(body, 3, body.length - 3, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":" + i + "}");
        }
    }

    @Test
    void aPayloadThatFailsHalfWayLeavesTheNextOneIntact() throws IOException {
        assertThatExceptionOfType(io.ipcworkers.PayloadConversionException.class)
            .isThrownBy(() -> bytes(this.codec.encode(Message.of("t", List.of(1, new Broken())))));
        byte[] body = bytes(this.codec.encode(Message.of("t", List.of(2))));
        assertThat(new String(body, 3, body.length - 3, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[2]");
    }

    static class Broken {

        public String getValue() {
            throw new IllegalStateException("no");
        }
    }

    private static byte[] bytes(BodyWriter body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        return out.toByteArray();
    }
}
