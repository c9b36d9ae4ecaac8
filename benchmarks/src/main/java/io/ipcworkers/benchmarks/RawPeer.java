package io.ipcworkers.benchmarks;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The raw-JDK program's one-way workload run past its second pass, so that figures measured once the
 * JIT is done have a baseline measured the same way: {@code shared/bench/JavaUdsRaw.java} stops after
 * pass 2. Same framing and encoding ({@link RawChannel}), same child loop, a child JVM started the same
 * way ({@code java -cp}, no options).
 */
public final class RawPeer {

    private RawPeer() {
    }

    /** The child, connecting to the socket named by the argument. */
    public static void main(String[] args) throws IOException {
        try (RawChannel parent = new RawChannel(SocketChannel.open(UnixDomainSocketAddress.of(Path.of(args[0]))))) {
            parent.send(RawChannel.message("ready", "{}"));
            serve(parent);
        }
    }

    /**
     * The raw child's loop: counts {@code t}, answers {@code end} with the count, echoes anything else,
     * returns at {@code exit}.
     */
    public static void serve(RawChannel parent) throws IOException {
        long count = 0;
        while (true) {
            byte[] message = parent.read();
            switch (RawChannel.topicOf(message)) {
                case "t" -> count++;
                case "end" -> {
                    parent.send(RawChannel.message("done", "{\"count\":" + count + "}"));
                    count = 0;
                }
                case "exit" -> {
                    return;
                }
                default -> parent.send(message);
            }
        }
    }

    /**
     * The raw program's figures once its JIT is done, measured as ours are: one-way throughput, the
     * median of passes 4 to 8 of {@code messages} each, and the 1 MiB round trip, the median of the
     * last {@value Benchmarks#WARM_BIG} of {@value Benchmarks#WARM_BIG_ROUNDS} after those passes.
     */
    record Warm(long throughput, double mibRoundTripMillis) {
    }

    static Warm warm(int messages) throws Exception {
        Path directory = Files.createTempDirectory("uds-bench-");
        Path socket = directory.resolve("s");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RawPeer.class.getName(),
                    socket.toString()).inheritIO().start();
            try (RawChannel channel = new RawChannel(server.accept())) {
                if (!RawChannel.topicOf(channel.read()).equals("ready")) {
                    throw new IllegalStateException("the raw child did not say ready");
                }
                double[] passes = new double[5];
                for (int pass = 0; pass < 8; pass++) {
                    double throughput = oneWayPass(channel, messages);
                    if (pass >= 3) {
                        passes[pass - 3] = throughput;
                    }
                }
                double mib = bigRoundTrips(channel);
                channel.send(RawChannel.message("exit", "null"));
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the raw child did not exit");
                }
                return new Warm(Math.round(Stats.median(passes)), mib);
            }
        }
        finally {
            if (child != null) {
                child.destroyForcibly();
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
    }

    /** 1 MiB round trips as the raw program makes them; the median of the last ones, in milliseconds. */
    private static double bigRoundTrips(RawChannel channel) throws IOException {
        String big = "\"" + "x".repeat(1 << 20) + "\"";
        double[] last = new double[Benchmarks.WARM_BIG];
        for (int i = 0; i < Benchmarks.WARM_BIG_ROUNDS; i++) {
            long started = System.nanoTime();
            channel.send(RawChannel.message("big", big));
            if (channel.read().length < (1 << 20)) {
                throw new IllegalStateException("short echo");
            }
            int kept = i - (Benchmarks.WARM_BIG_ROUNDS - Benchmarks.WARM_BIG);
            if (kept >= 0) {
                last[kept] = (System.nanoTime() - started) / 1e6;
            }
        }
        return Stats.median(last);
    }

    /** The raw parent's one-way pass: {@code messages} {@code t}, then {@code end}; messages per second. */
    public static double oneWayPass(RawChannel channel, int messages) throws IOException {
        long started = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            channel.write(RawChannel.message("t", "{\"n\":" + i + "}"));
        }
        channel.send(RawChannel.message("end", "null"));
        String done = new String(channel.read(), StandardCharsets.UTF_8);
        if (!done.contains("\"count\":" + messages)) {
            throw new IllegalStateException(done);
        }
        return messages / ((System.nanoTime() - started) / 1e9);
    }
}
