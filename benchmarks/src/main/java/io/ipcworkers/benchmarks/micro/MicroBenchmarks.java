package io.ipcworkers.benchmarks.micro;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this package in one run and prints each of ours beside its baseline from
 * that same run, as a ratio of the medians of their measured iterations (two forks of five). Appends
 * the figures as one JSON line to the file given, if any.
 * <pre>java -cp … io.ipcworkers.benchmarks.micro.MicroBenchmarks [results.jsonl]</pre>
 */
public final class MicroBenchmarks {

    /** A figure: our benchmark and the baseline it is divided by. */
    private record Pair(String figure, String ours, String baseline) {
    }

    private static final List<Pair> PAIRS = List.of(
            new Pair("encode a message (ns)", "CodecBenchmark.encodeOurs", "CodecBenchmark.encodeRaw"),
            new Pair("encode, against Jackson's writeValueAsBytes (ns)", "CodecBenchmark.encodeOurs",
                    "CodecBenchmark.encodeJackson"),
            new Pair("decode the topic (ns)", "CodecBenchmark.decodeTopicOurs", "CodecBenchmark.decodeTopicRaw"),
            new Pair("decode a typed payload, against Jackson's readValue (ns)", "CodecBenchmark.decodePayloadOurs",
                    "CodecBenchmark.decodePayloadJackson"),
            new Pair("a message to a listener that takes nothing, against a switch (ns)",
                    "DispatchBenchmark.dispatchOurs", "DispatchBenchmark.dispatchRaw"),
            new Pair("a message to a listener of a record, against Jackson's readValue (ns)",
                    "DispatchBenchmark.dispatchTypedOurs", "CodecBenchmark.decodePayloadJackson"),
            new Pair("round trip in one JVM (us)", "ChannelBenchmark.roundTripOurs", "ChannelBenchmark.roundTripRaw"),
            new Pair("one-way in one JVM (msgs/s)", "ChannelBenchmark.oneWayOurs", "ChannelBenchmark.oneWayRaw"),
            new Pair("one-way in one JVM, payloads as JSON text (msgs/s)", "ChannelBenchmark.oneWayOursJsonText",
                    "ChannelBenchmark.oneWayRaw"));

    private MicroBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Options options = new OptionsBuilder()
            .include(MicroBenchmarks.class.getPackageName() + ".*Benchmark.*")
            .forks(2)
            .jvmArgsAppend("-Xmx256m")
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(5)
            .measurementTime(TimeValue.seconds(1))
            .build();
        Map<String, Double> scores = new HashMap<>();
        for (RunResult result : new Runner(options).run()) {
            String method = result.getParams().getBenchmark();
            String shortName = method.substring(method.lastIndexOf('.', method.lastIndexOf('.') - 1) + 1);
            // the median: a stream between two threads on two cores has the odd iteration at half speed
            scores.put(shortName, result.getPrimaryResult().getStatistics().getPercentile(50));
        }
        System.out.println();
        System.out.printf("%-72s %14s %14s %7s%n", "figure (ours against the baseline of the same run)", "ours",
                "baseline", "ratio");
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("peer", "ipc-workers-micro");
        for (Pair pair : PAIRS) {
            Double ours = scores.get(pair.ours());
            Double baseline = scores.get(pair.baseline());
            if (ours == null || baseline == null) {
                continue; // a benchmark that did not run (JMH printed why)
            }
            System.out.printf("%-72s %14.1f %14.1f %6.2fx%n", pair.figure(), ours, baseline, ours / baseline);
            figures.put(pair.ours(), Math.round(ours * 10) / 10.0);
            figures.put(pair.baseline(), Math.round(baseline * 10) / 10.0);
        }
        System.out.println("(times: a ratio below 1 is faster than the baseline; msgs/s: above 1 is)");
        if (args.length > 0) {
            String line = figures.entrySet().stream()
                .map((entry) -> "\"" + entry.getKey() + "\":" + ((entry.getValue() instanceof String text)
                        ? "\"" + text + "\"" : entry.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
            Files.writeString(Path.of(args[0]), line + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }
}
