package io.ipcworkers.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.channel.FrameWriter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MessageHeadersTest {

    private final MessageCodec codec = MessageCodec.withDefaultMapper();

    @Test
    void headersComeBackInOrderAndSayWhereTheMessageEnds() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        headers.put("baggage", "tenant=ä,empty=");
        headers.put("e", "");
        byte[] block = MessageHeaders.encode(headers);
        byte[] body = new byte[5 + block.length];
        System.arraycopy(block, 0, body, 5, block.length);

        MessageHeaders.Read read = MessageHeaders.read(body, body.length);

        assertThat(read.headers()).containsExactlyEntriesOf(headers);
        assertThat(read.messageEnd()).isEqualTo(5);
    }

    @Test
    void aMessageWithHeadersAndADeadlineDecodesAsItWasSent() throws IOException {
        byte[] block = MessageHeaders.encode(Map.of("traceparent", "00-abc-def-01"));
        byte[] body = bytes(this.codec.encodeRequest(Message.of("resize", Map.of("w", 40)), 1_234_567L, block));

        int end = body.length - RequestDeadline.BYTES;
        MessageHeaders.Read read = MessageHeaders.read(body, end);
        Message message = this.codec.decode(body, read.messageEnd());

        assertThat(RequestDeadline.read(body)).isEqualTo(1_234_567L);
        assertThat(read.headers()).containsExactly(Map.entry("traceparent", "00-abc-def-01"));
        assertThat(message.topic()).isEqualTo("resize");
        assertThat(message.payloadAs(Map.class)).isEqualTo(Map.of("w", 40));
        byte[] nullPayload = bytes(this.codec.encode(Message.of("ping", null), block));
        assertThat(this.codec.decode(nullPayload, MessageHeaders.read(nullPayload, nullPayload.length).messageEnd())
            .payload()).isNull();
    }

    @Test
    void noHeadersNoBlock() {
        assertThat(MessageHeaders.encode(Map.of())).isNull();
    }

    @Test
    void headersPastTheBoundsAreLeftOutRatherThanRefusingTheMessage() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("", "no key");
        headers.put("k".repeat(256), "key too long");
        headers.put("big", "v".repeat(MessageHeaders.MAX_VALUE_BYTES + 1));
        headers.put("kept", "yes");
        for (int i = 0; i < 40; i++) {
            headers.put("h" + i, "v");
        }

        Map<String, String> read = MessageHeaders.read(MessageHeaders.encode(headers), 0 + MessageHeaders.encode(headers).length).headers();

        assertThat(read).hasSize(MessageHeaders.MAX_HEADERS).containsEntry("kept", "yes")
            .doesNotContainKeys("", "k".repeat(256), "big");
        Map<String, String> onlyInvalid = Map.of("big", "v".repeat(MessageHeaders.MAX_VALUE_BYTES + 1));
        assertThat(MessageHeaders.encode(onlyInvalid)).isNull();
    }

    @Test
    void aBlockThatDoesNotFitItsBodyIsRefusedSayingWhy() {
        byte[] block = MessageHeaders.encode(Map.of("key", "value"));
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> MessageHeaders.read(new byte[1], 1))
            .withMessage("malformed message headers: a body of 1 bytes cannot hold its headers' length");
        byte[] claimsTooMuch = block.clone();
        claimsTooMuch[claimsTooMuch.length - 2] = (byte) 0x7F;
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> MessageHeaders.read(claimsTooMuch, claimsTooMuch.length))
            .withMessageContaining("headers of 32523 bytes in a body of 13");
        byte[] valueOverruns = block.clone();
        valueOverruns[1 + 3] = (byte) 0x10; // the value's length, high byte: 4096 + 5 bytes
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> MessageHeaders.read(valueOverruns, valueOverruns.length))
            .withMessage("malformed message headers: the value of header 'key', of 4101 bytes, does not fit");
        byte[] emptyKey = block.clone();
        emptyKey[0] = 0;
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> MessageHeaders.read(emptyKey, emptyKey.length))
            .withMessage("malformed message headers: a header's key of 0 bytes does not fit");
    }

    private static byte[] bytes(FrameWriter.BodyWriter body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        return out.toByteArray();
    }
}
