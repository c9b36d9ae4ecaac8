package io.ipcworkers.benchmarks.micro;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.Message;
import io.ipcworkers.benchmarks.BenchWorker;
import io.ipcworkers.benchmarks.Ping;
import io.ipcworkers.benchmarks.RawChannel;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.Delivery;
import io.ipcworkers.dispatch.ListenerDispatcher;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.databind.json.JsonMapper;

/**
 * A received frame body handed to an {@code @IpcListener} method of {@link BenchWorker}, as a pool
 * worker does with every message, against the raw program's child: the topic found by searching the
 * text, then a {@code switch}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DispatchBenchmark {

    private final MessageCodec codec = new MessageCodec(JsonMapper.builder().build());

    private final ListenerDispatcher dispatcher = new ListenerDispatcher(ListenerRegistry.forWorker());

    private byte[] counted;

    private byte[] typed;

    private byte[] rawCounted;

    private long rawCount;

    @Setup
    public void encodeOnce() throws IOException {
        this.dispatcher.registry().registerAnnotatedMethods(new BenchWorker());
        CodecBenchmark.Sink sink = new CodecBenchmark.Sink();
        this.codec.encode(Message.of("t", new Ping(123_456))).writeTo(sink);
        this.counted = sink.takeBytes();
        this.codec.encode(Message.of("ping-typed", new Ping(123_456))).writeTo(sink);
        this.typed = sink.takeBytes();
        this.rawCounted = RawChannel.message("t", "{\"n\":123456}");
    }

    /** {@code t} to {@code count()}: a listener that takes nothing, so the payload is never decoded. */
    @Benchmark
    public Object dispatchOurs() throws Exception {
        return this.dispatcher.dispatch(new Delivery(this.codec.decode(this.counted), null, null, "bench"), "worker");
    }

    /** {@code t} in the raw program's child. */
    @Benchmark
    public long dispatchRaw() {
        switch (RawChannel.topicOf(this.rawCounted)) {
            case "t" -> this.rawCount++;
            case "end" -> this.rawCount = 0;
            default -> throw new IllegalStateException();
        }
        return this.rawCount;
    }

    /** {@code ping-typed} to {@code pingTyped(Ping)}: the payload converted to a record and returned. */
    @Benchmark
    public Object dispatchTypedOurs() throws Exception {
        return this.dispatcher.dispatch(new Delivery(this.codec.decode(this.typed), null, null, "bench"), "worker");
    }
}
