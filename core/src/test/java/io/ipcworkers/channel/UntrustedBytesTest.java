package io.ipcworkers.channel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.codec.ErrorReply;
import io.ipcworkers.codec.MessageCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Whatever bytes a peer writes, reading and decoding them ends in a frame, a clean end of stream or
 * one of our protocol or conversion exceptions: never another exception, a hang, or a frame that
 * differs from what a well-behaved peer sent. Streams are generated from fixed seeds (named on failure)
 * and read over a real Unix domain socket, as a parent reads a worker.
 */
class UntrustedBytesTest {

    private static final int MAX_FRAME = 4096;

    private static final int STREAMS = 600;

    private static final FrameType[] TYPES = FrameType.values();

    private final MessageCodec codec = new MessageCodec(JsonMapper.builder().build());

    @TempDir
    Path directory;

    enum Outcome {
        WHOLE_STREAM_READ, REJECTED_FRAME, REJECTED_BODY, PAYLOAD_NOT_CONVERTED
    }

    @Test
    void anyByteStreamEndsInFramesOrAProtocolErrorAndWellFormedOnesArriveAsSent() throws Exception {
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        int intactStreams = 0;
        for (int seed = 0; seed < STREAMS; seed++) {
            Stream stream = Stream.generate(new Random(seed));
            intactStreams += stream.intact() ? 1 : 0;
            for (Outcome outcome : readAll(stream, seed)) {
                outcomes.merge(outcome, 1, Integer::sum);
            }
        }
        // the generator must have exercised every path, or this test proves little
        assertThat(outcomes.keySet()).containsExactlyInAnyOrder(Outcome.values());
        assertThat(intactStreams).isGreaterThan(STREAMS / 10);
    }

    private List<Outcome> readAll(Stream stream, int seed) throws IOException {
        Path pairDirectory = this.directory.resolve("s" + seed);
        Files.createDirectory(pairDirectory);
        SocketConnection[] pair = RawWire.connectedPair(pairDirectory, MAX_FRAME);
        List<Outcome> outcomes = new ArrayList<>();
        List<Frame> received = new ArrayList<>();
        try {
            RawWire.write(pair[0], stream.bytes());
            RawWire.closeSocket(pair[0]);
            while (true) {
                Frame frame;
                try {
                    frame = pair[1].readFrame(Duration.ofSeconds(10));
                }
                catch (IpcProtocolException ex) {
                    outcomes.add(Outcome.REJECTED_FRAME);
                    break;
                }
                if (frame == null) {
                    outcomes.add(Outcome.WHOLE_STREAM_READ);
                    break;
                }
                received.add(frame);
                Outcome decoded = decode(frame);
                if (decoded != null) {
                    outcomes.add(decoded); // a parent would stop here; reading on checks the frames after it
                }
            }
        }
        catch (RuntimeException | IOException | AssertionError ex) {
            fail("seed " + seed + ", bytes " + HexFormat.of().formatHex(stream.bytes()) + ": " + ex, ex);
        }
        finally {
            pair[0].close();
            pair[1].close();
        }
        if (stream.intact()) {
            assertThat(outcomes).as("seed %d", seed).doesNotContain(Outcome.REJECTED_FRAME);
            assertThat(received).as("seed %d", seed).hasSize(stream.frames().size());
            for (int i = 0; i < received.size(); i++) {
                Frame sent = stream.frames().get(i);
                Frame got = received.get(i);
                assertThat(got.type()).as("seed %d", seed).isEqualTo(sent.type());
                assertThat(got.flags()).as("seed %d", seed).isEqualTo(sent.flags());
                assertThat(got.correlationId()).as("seed %d", seed).isEqualTo(sent.correlationId());
                assertThat(got.body()).as("seed %d", seed).isEqualTo(sent.body());
            }
        }
        return outcomes;
    }

    /** What a parent does with a frame's body; null when it decoded and converted cleanly. */
    private Outcome decode(Frame frame) {
        if (frame.type() != FrameType.MESSAGE && frame.type() != FrameType.REQUEST && frame.type() != FrameType.REPLY
                && frame.type() != FrameType.ERROR) {
            return null;
        }
        Message message;
        try {
            message = this.codec.decode(frame.body());
        }
        catch (IpcProtocolException ex) {
            return Outcome.REJECTED_BODY;
        }
        try {
            if (frame.type() == FrameType.ERROR) {
                ErrorReply reply = message.payloadAs(ErrorReply.class);
                if (reply != null) {
                    IpcException failure = reply.toException(message.topic(), "worker under test");
                    assertThat(failure.getMessage()).isNotNull();
                }
            }
            else {
                message.payload();
                message.payloadAs(Map.class);
            }
            return null;
        }
        catch (PayloadConversionException ex) {
            return Outcome.PAYLOAD_NOT_CONVERTED;
        }
    }

    /** A generated byte stream, and the frames it holds when it was left intact. */
    private record Stream(byte[] bytes, List<Frame> frames, boolean intact) {

        static Stream generate(Random random) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            List<Frame> frames = new ArrayList<>();
            boolean intact = true;
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                FrameType type = TYPES[random.nextInt(TYPES.length)];
                byte[] body = body(random);
                int flags = random.nextInt(4);
                long correlationId = random.nextLong();
                int length = Frame.HEADER_AFTER_LENGTH + body.length;
                int code = type.code();
                if (random.nextInt(12) == 0) {
                    length = new int[] { -1, 0, Frame.HEADER_AFTER_LENGTH - 1, MAX_FRAME + 1, Integer.MAX_VALUE,
                            Integer.MIN_VALUE, random.nextInt() }[random.nextInt(7)];
                    intact = false;
                }
                if (random.nextInt(12) == 0) {
                    code = new int[] { 0, 11, 15, 16, 127, -1, -128 }[random.nextInt(7)];
                    intact = false;
                }
                wire.writeBytes(ByteBuffer.allocate(4 + Frame.HEADER_AFTER_LENGTH).putInt(length).put((byte) code)
                    .put((byte) flags).putLong(correlationId).array());
                wire.writeBytes(body);
                frames.add(new Frame(type, flags, correlationId, body));
            }
            byte[] bytes = wire.toByteArray();
            if (random.nextInt(4) == 0) {
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
                intact = false;
            }
            if (random.nextInt(4) == 0) {
                bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
                intact = false;
            }
            return new Stream(bytes, frames, intact);
        }

        /** A message body (well formed or not), or bytes of any kind. */
        private static byte[] body(Random random) {
            return switch (random.nextInt(8)) {
                case 0 -> new byte[0];
                case 1 -> randomBytes(random, random.nextInt(300));
                case 2 -> messageBody(random, "topic", "{\"n\":" + random.nextInt() + "}");
                case 3 -> messageBody(random, "t", randomJsonish(random));
                case 4 -> messageBody(random, "failed", "{\"kind\":\"" + (random.nextBoolean() ? "listener" : "x")
                        + "\",\"exception\":\"E\",\"message\":" + (random.nextBoolean() ? "null" : "\"m\"") + "}");
                case 5 -> topicLengthPastTheEnd(random);
                case 6 -> notUtf8Topic();
                default -> messageBody(random, new String(randomBytes(random, random.nextInt(20)),
                        StandardCharsets.ISO_8859_1), "[1,2,3]");
            };
        }

        private static byte[] messageBody(Random random, String topic, String json) {
            byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
            byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(2 + topicBytes.length + jsonBytes.length).putShort((short) topicBytes.length)
                .put(topicBytes).put(jsonBytes).array();
        }

        private static byte[] topicLengthPastTheEnd(Random random) {
            byte[] body = randomBytes(random, 2 + random.nextInt(10));
            body[0] = (byte) (0x80 | random.nextInt(0x80));
            return body;
        }

        private static byte[] notUtf8Topic() {
            return ByteBuffer.allocate(2 + 3 + 2).putShort((short) 3).put(new byte[] { 'a', (byte) 0xC3, 'b' })
                .put(new byte[] { '{', '}' }).array();
        }

        private static String randomJsonish(Random random) {
            String alphabet = "{}[]\":,0123456789.-eEtrufalsn \\u";
            StringBuilder json = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                json.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            return json.toString();
        }

        private static byte[] randomBytes(Random random, int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }
    }
}
