package io.ipcworkers.codec;

import java.io.ByteArrayOutputStream;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A request's deadline travels after its message, which decodes as it would without it. */
class RequestDeadlineTest {

    private final MessageCodec codec = MessageCodec.withDefaultMapper();

    @Test
    void theDeadlineFollowsTheMessageAndBothReadBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = 1_764_590_400_123L; // an epoch millisecond of 2025
        this.codec.encodeRequest(Message.of("resize", 640), deadline).writeTo(out);
        byte[] body = out.toByteArray();

        assertThat(RequestDeadline.read(body)).isEqualTo(deadline);
        Message message = this.codec.decode(body, body.length - RequestDeadline.BYTES);
        assertThat(message.topic()).isEqualTo("resize");
        assertThat(message.payloadAs(Integer.class)).isEqualTo(640);
    }

    @Test
    void aRequestWithoutAPayloadCarriesItsDeadlineToo() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        this.codec.encodeRequest(Message.of("tick", null), 42L).writeTo(out);
        byte[] body = out.toByteArray();

        assertThat(RequestDeadline.read(body)).isEqualTo(42L);
        Message message = this.codec.decode(body, body.length - RequestDeadline.BYTES);
        assertThat(message.topic()).isEqualTo("tick");
        assertThat(message.payload()).isNull();
    }

    @Test
    void aBodyTooShortForADeadlineIsAProtocolError() {
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> RequestDeadline.read(new byte[7]))
            .withMessage("malformed request: a body of 7 bytes cannot hold its 8-byte deadline");
    }

    @Test
    void aMessageDecodedFromPartOfABodyIsCheckedAgainstThatPart() {
        byte[] body = { 0, 5, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> this.codec.decode(body, 4))
            .withMessage("malformed message: topic length 5 exceeds the 2 bytes that follow");
    }
}
