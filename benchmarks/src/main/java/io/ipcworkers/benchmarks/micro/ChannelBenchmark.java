package io.ipcworkers.benchmarks.micro;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.Message;
import io.ipcworkers.benchmarks.Ping;
import io.ipcworkers.benchmarks.RawChannel;
import io.ipcworkers.benchmarks.RawPeer;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.SocketConnection;
import io.ipcworkers.codec.MessageCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared workload's round trip and one-way stream over a Unix socket inside one JVM, the echoing
 * side on a thread of its own: our connection and codec (what {@code ChildProcess} sends and reads
 * through) against the raw program's channel. No process start, no other JVM's compiler: what the
 * channel costs once both sides are compiled.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChannelBenchmark {

    /** Messages per one-way invocation, then {@code end}; the figure is per message. */
    static final int STREAM = 10_000;

    @Benchmark
    public Message roundTripOurs(Ours ours) throws IOException {
        ours.connection.send(FrameType.MESSAGE, 0, 0, ours.codec.encode(Message.of("ping", new Ping(ours.n++))));
        return ours.codec.decode(ours.next().body());
    }

    @Benchmark
    public String roundTripRaw(Raw raw) throws IOException {
        raw.channel.send(RawChannel.message("ping", "{\"n\":" + raw.n++ + "}"));
        return RawChannel.topicOf(raw.channel.read());
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(STREAM)
    public void oneWayOurs(Ours ours) throws IOException {
        for (int i = 0; i < STREAM; i++) {
            ours.connection.sendBatched(FrameType.MESSAGE, 0, 0, ours.codec.encode(Message.of("t", new Ping(ours.n++))));
        }
        ours.endStream(STREAM);
    }

    /** Ours with each payload given as JSON text ({@code Message.ofJson}): the channel without Jackson. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(STREAM)
    public void oneWayOursJsonText(Ours ours) throws IOException {
        for (int i = 0; i < STREAM; i++) {
            byte[] json = ("{\"n\":" + ours.n++ + "}").getBytes(StandardCharsets.UTF_8);
            ours.connection.sendBatched(FrameType.MESSAGE, 0, 0, ours.codec.encodeJson("t", json));
        }
        ours.endStream(STREAM);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(STREAM)
    public void oneWayRaw(Raw raw) throws IOException {
        RawPeer.oneWayPass(raw.channel, STREAM);
    }

    /** Our connection, with an echoing thread behind it that uses the same connection and codec. */
    @State(Scope.Benchmark)
    public static class Ours {

        final MessageCodec codec = new MessageCodec(JsonMapper.builder().build());

        SocketConnection connection;

        private Thread echo;

        long n;

        @Setup(Level.Trial)
        public void open() throws IOException {
            SocketPair pair = SocketPair.open();
            this.connection = new SocketConnection(pair.near(), Frame.DEFAULT_MAX_FRAME_LENGTH);
            SocketConnection far = new SocketConnection(pair.far(), Frame.DEFAULT_MAX_FRAME_LENGTH);
            this.echo = new Thread(() -> echo(far, this.codec), "echo-ours");
            this.echo.start();
        }

        Frame next() throws IOException {
            Frame frame = this.connection.readFrame();
            if (frame == null) {
                throw new IOException("the echoing side closed the connection");
            }
            return frame;
        }

        /** Sends {@code end} and checks the count that comes back. */
        void endStream(long sent) throws IOException {
            this.connection.send(FrameType.MESSAGE, 0, 0, this.codec.encode(Message.of("end", null)));
            Object count = this.codec.decode(next().body()).payloadAs(Map.class).get("count");
            if (!(count instanceof Number number) || number.longValue() != sent) {
                throw new IllegalStateException("counted " + count + " of " + sent);
            }
        }

        private static void echo(SocketConnection connection, MessageCodec codec) {
            try (connection) {
                long count = 0;
                for (Frame frame = connection.readFrame(); frame != null; frame = connection.readFrame()) {
                    Message message = codec.decode(frame.body());
                    switch (message.topic()) {
                        case "t" -> count++;
                        case "end" -> {
                            connection.send(FrameType.MESSAGE, 0, 0, codec.encode(Message.of("done", Map.of("count", count))));
                            count = 0;
                        }
                        default -> connection.send(FrameType.MESSAGE, 0, 0, codec.encode(message));
                    }
                }
            }
            catch (IOException ex) {
                // closed by the benchmark's side
            }
        }

        @TearDown(Level.Trial)
        public void close() throws InterruptedException {
            this.connection.close();
            this.echo.join(10_000);
        }
    }

    /** The raw program's channel, with the raw program's child loop on a thread behind it. */
    @State(Scope.Benchmark)
    public static class Raw {

        RawChannel channel;

        private Thread echo;

        long n;

        @Setup(Level.Trial)
        public void open() throws IOException {
            SocketPair pair = SocketPair.open();
            this.channel = new RawChannel(pair.near());
            RawChannel far = new RawChannel(pair.far());
            this.echo = new Thread(() -> echo(far), "echo-raw");
            this.echo.start();
        }

        private static void echo(RawChannel channel) {
            try (channel) {
                RawPeer.serve(channel);
            }
            catch (IOException ex) {
                // closed by the benchmark's side
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException, InterruptedException {
            this.channel.close();
            this.echo.join(10_000);
        }
    }
}
