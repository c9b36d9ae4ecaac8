package io.ipcworkers.benchmarks.micro;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.Message;
import io.ipcworkers.benchmarks.Ping;
import io.ipcworkers.benchmarks.RawChannel;
import io.ipcworkers.codec.MessageCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small message turned into a frame body and back, against the raw program's hand-made JSON text
 * and against calling Jackson directly. No socket: what the codec itself costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

    private final JsonMapper mapper = JsonMapper.builder().build();

    private final MessageCodec codec = new MessageCodec(this.mapper);

    private final Sink sink = new Sink();

    private long n;

    private byte[] ourBody;

    private byte[] rawMessage;

    private byte[] jacksonPayload;

    @Setup
    public void encodeOnce() throws IOException {
        this.codec.encode(Message.of("t", new Ping(123_456))).writeTo(this.sink);
        this.ourBody = this.sink.takeBytes();
        this.rawMessage = RawChannel.message("t", "{\"n\":123456}");
        this.jacksonPayload = this.mapper.writeValueAsBytes(new Ping(123_456));
    }

    /** Ours: {@code Message.of("t", new Ping(n))} through the codec, as every send does. */
    @Benchmark
    public int encodeOurs() throws IOException {
        this.codec.encode(Message.of("t", new Ping(this.n++))).writeTo(this.sink);
        return this.sink.reset();
    }

    /** The raw program's message: string concatenation, then UTF-8 bytes. */
    @Benchmark
    public int encodeRaw() {
        return RawChannel.message("t", "{\"n\":" + this.n++ + "}").length;
    }

    /** The payload alone, through {@code ObjectMapper.writeValueAsBytes}: what a user calling Jackson pays. */
    @Benchmark
    public int encodeJackson() {
        return this.mapper.writeValueAsBytes(new Ping(this.n++)).length;
    }

    /** Ours: the topic out of a frame body, as the receiving side routes a message (payload untouched). */
    @Benchmark
    public String decodeTopicOurs() {
        return this.codec.decode(this.ourBody).topic();
    }

    /** The raw program's routing: the whole message as a string, the topic found by searching it. */
    @Benchmark
    public String decodeTopicRaw() {
        return RawChannel.topicOf(this.rawMessage);
    }

    /** Ours: the frame body to a typed payload, as a typed listener receives it. */
    @Benchmark
    public Ping decodePayloadOurs() {
        return this.codec.decode(this.ourBody).payloadAs(Ping.class);
    }

    /** The payload's bytes through {@code ObjectMapper.readValue}. */
    @Benchmark
    public Ping decodePayloadJackson() {
        return this.mapper.readValue(this.jacksonPayload, Ping.class);
    }

    /** An in-memory stream that is emptied after each message, so nothing grows. */
    static final class Sink extends OutputStream {

        private byte[] bytes = new byte[256];

        private int count;

        @Override
        public void write(int b) {
            ensureRoom(1);
            this.bytes[this.count++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            ensureRoom(length);
            System.arraycopy(source, offset, this.bytes, this.count, length);
            this.count += length;
        }

        private void ensureRoom(int length) {
            if (this.count + length > this.bytes.length) {
                this.bytes = Arrays.copyOf(this.bytes, Math.max(this.bytes.length * 2, this.count + length));
            }
        }

        int reset() {
            int written = this.count;
            this.count = 0;
            return written;
        }

        byte[] takeBytes() {
            byte[] written = Arrays.copyOf(this.bytes, this.count);
            this.count = 0;
            return written;
        }
    }
}
