package io.ipcworkers.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ProcessManager;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.codec.DefaultJsonMapper;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.launch.LauncherSettings;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.pool.WorkerPool;
import io.ipcworkers.pool.WorkerPools;

/**
 * Runs the shared workload of {@code shared/bench} (spawn, round trip, one-way throughput, 1 MiB round
 * trip) through the public API, plus figures the peers have no counterpart for, and prints one JSON
 * line per peer name: {@code ipc-workers} ({@code ChildProcess.sendMessage/getNextMessage}),
 * {@code ipc-workers-bus} ({@code MessageBus}), {@code ipc-workers-more} (the rest), and, run in a JVM of
 * its own, {@code ipc-workers-text} (the first again, with payloads written by hand as JSON text).
 */
public final class Benchmarks {

    static final int WARMUP = 2_000, ROUNDS = 20_000, ONE_WAY = 500_000, SPAWNS = 5, BIG = 20;

    static final int PIPELINED = 200_000, OUTSTANDING = 1_000, BURST = 1_000_000;

    /** 1 MiB round trips once the JIT is done: the median of the last {@code WARM_BIG} of {@code WARM_BIG_ROUNDS}. */
    static final int WARM_BIG_ROUNDS = 300, WARM_BIG = 100;

    private static final String BIG_PAYLOAD = "x".repeat(1 << 20);

    private Benchmarks() {
    }

    /**
     * @param args the sections to run ({@code child}, {@code bus}, {@code more}, {@code text}); the first
     *     three when none are named. {@code text} belongs in a JVM of its own: its pass 2 is to meet a JIT
     *     compiler that has not seen the library yet, as {@code child}'s does
     */
    public static void main(String[] args) throws Exception {
        List<String> sections = (args.length > 0) ? List.of(args) : List.of("child", "bus", "more");
        if (sections.contains("child")) {
            System.out.println(json("ipc-workers", childProcessFigures(Payloads.OBJECTS)));
        }
        if (sections.contains("text")) {
            System.out.println(json("ipc-workers-text", childProcessFigures(Payloads.JSON_TEXT)));
        }
        if (sections.contains("bus")) {
            System.out.println(json("ipc-workers-bus", busFigures()));
        }
        if (sections.contains("more")) {
            System.out.println(json("ipc-workers-more", moreFigures()));
        }
        System.exit(0);
    }

    // --- ChildProcess: the seed-style API

    /**
     * How the workload's payloads are made: as objects the library writes with Jackson (what an
     * application does), or as JSON text written by hand and sent with {@code Message.ofJson}, as the
     * raw program writes its own. The second measures the channel without Jackson's serializer.
     */
    enum Payloads {

        OBJECTS {
            @Override
            Message small(String topic, long n) {
                return Message.of(topic, new Ping(n));
            }

            @Override
            Message big() {
                return Message.of("big", BIG_PAYLOAD);
            }
        },

        JSON_TEXT {
            @Override
            Message small(String topic, long n) {
                return json(topic, "{\"n\":" + n + "}");
            }

            @Override
            Message big() {
                return json("big", "\"" + BIG_PAYLOAD + "\"");
            }

            private static Message json(String topic, String json) {
                byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
                return Message.ofJson(topic, bytes, 0, bytes.length, DefaultJsonMapper.get());
            }
        };

        abstract Message small(String topic, long n);

        abstract Message big();
    }

    static Map<String, Object> childProcessFigures(Payloads payloads) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        try (ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            double[] spawns = new double[SPAWNS];
            ChildProcess child = null;
            for (int i = 0; i < SPAWNS; i++) {
                long started = System.nanoTime();
                child = pm.runProcess(new EchoTask());
                expect(child.getNextMessage(), "ready");
                spawns[i] = (System.nanoTime() - started) / 1e6;
                if (i < SPAWNS - 1) {
                    child.sendMessage(Message.of("exit", null));
                    child.onExit().join();
                }
            }
            figures.put("spawn_ms", Stats.median(spawns));

            long[] rtt = new long[ROUNDS];
            for (int i = 0; i < WARMUP + ROUNDS; i++) {
                long started = System.nanoTime();
                child.sendMessage(payloads.small("ping", i));
                child.getNextMessage();
                if (i >= WARMUP) {
                    rtt[i - WARMUP] = System.nanoTime() - started;
                }
            }
            figures.put("rtt_p50_us", Stats.percentile(rtt, 0.5) / 1e3);
            figures.put("rtt_p99_us", Stats.percentile(rtt, 0.99) / 1e3);

            oneWayPass(child, payloads); // warm-up pass, as the shared workload does
            figures.put("throughput_msgs_s", Math.round(oneWayPass(child, payloads)));

            double[] big = new double[BIG];
            for (int i = 0; i < BIG + 3; i++) {
                long started = System.nanoTime();
                child.sendMessage(payloads.big());
                Message back = child.getNextMessage();
                if (i >= 3) {
                    big[i - 3] = (System.nanoTime() - started) / 1e6;
                }
                if (i == 0) {
                    requireBigEcho(back);
                }
            }
            figures.put("mib_rtt_ms", Stats.median(big));
            child.sendMessage(Message.of("exit", null));
            child.onExit().join();
        }
        return figures;
    }

    /** {@value #ONE_WAY} messages to the child, then "end"; messages per second until it answers with the count. */
    static double oneWayPass(ChildProcess child, Payloads payloads) {
        long started = System.nanoTime();
        for (int i = 0; i < ONE_WAY; i++) {
            child.sendMessage(payloads.small("t", i));
        }
        child.sendMessage(Message.of("end", null));
        requireCount(child.getNextMessage(), ONE_WAY);
        return ONE_WAY / ((System.nanoTime() - started) / 1e9);
    }

    // --- MessageBus: pools

    /** Parent listener that collects the workers' "done" counts. */
    public static final class Counts {

        final Map<Long, Long> byWorker = new ConcurrentHashMap<>();

        @IpcListener("done")
        public void done(Message done, ChildProcess sender) {
            this.byWorker.put(sender.getId(), countOf(done));
        }
    }

    static WorkerPools pools(int workers, String workerClass, Counts counts) {
        ListenerRegistry registry = ListenerRegistry.forParent();
        registry.registerAnnotatedMethods(counts);
        PoolSettings settings = PoolSettings.of("bench", workers, workerClass).withRequestTimeout(Duration.ofMinutes(5))
            .withLimits(256, 10_000, Duration.ofMinutes(5));
        return new WorkerPools(List.of(settings), new LauncherSettings(64 << 20, Duration.ofMinutes(2),
                ProcessOutput.discard(), List.of()), MessageCodec.withDefaultMapper(), registry);
    }

    static Map<String, Object> busFigures() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("spawn_ms", spawnMillis(BenchWorker.class.getName()));
        Counts counts = new Counts();
        try (WorkerPools pools = pools(1, BenchWorker.class.getName(), counts)) {
            pools.start();
            // echoed undecoded and not decoded on return, as with ChildProcess; typed: bus_typed_rtt_* below
            long[] rtt = roundTrips(pools, "ping", Message.class);
            figures.put("rtt_p50_us", Stats.percentile(rtt, 0.5) / 1e3);
            figures.put("rtt_p99_us", Stats.percentile(rtt, 0.99) / 1e3);
            oneWay(pools, counts, ONE_WAY); // warm-up pass
            figures.put("throughput_msgs_s", oneWay(pools, counts, ONE_WAY));
            double[] big = new double[BIG];
            for (int i = 0; i < BIG + 3; i++) {
                long started = System.nanoTime();
                Message back = pools.request("bench", "big", BIG_PAYLOAD, Message.class).get(); // not decoded, as with ChildProcess
                if (i >= 3) {
                    big[i - 3] = (System.nanoTime() - started) / 1e6;
                }
                if (i == 0) {
                    requireBigEcho(back);
                }
            }
            figures.put("mib_rtt_ms", Stats.median(big));
        }
        return figures;
    }

    /** {@value #ROUNDS} round trips after {@value #WARMUP}, one at a time; nanoseconds each. */
    static long[] roundTrips(WorkerPools pools, String topic, Class<?> replyType) throws Exception {
        long[] rtt = new long[ROUNDS];
        for (int i = 0; i < WARMUP + ROUNDS; i++) {
            long started = System.nanoTime();
            pools.request("bench", topic, new Ping(i), replyType).get();
            if (i >= WARMUP) {
                rtt[i - WARMUP] = System.nanoTime() - started;
            }
        }
        return rtt;
    }

    static Map<String, Object> moreFigures() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        RawPeer.Warm raw = RawPeer.warm(ONE_WAY);
        figures.put("raw_warm_throughput_msgs_s", raw.throughput());
        figures.put("raw_warm_mib_rtt_ms", round(raw.mibRoundTripMillis()));
        figures.putAll(warmFigures());
        figures.put("bus_warm_send_throughput_msgs_s", busWarmThroughput());
        figures.put("spring_worker_spawn_ms", spawnMillis(BenchSpringWorker.class.getName()));
        try (WorkerPools pools = pools(1, BenchWorker.class.getName(), new Counts())) {
            pools.start();
            long[] rtt = roundTrips(pools, "ping-typed", Ping.class);
            figures.put("bus_typed_rtt_p50_us", Stats.percentile(rtt, 0.5) / 1e3);
            figures.put("bus_typed_rtt_p99_us", Stats.percentile(rtt, 0.99) / 1e3);
        }
        for (int workers : new int[] { 1, 2, 4 }) {
            Counts counts = new Counts();
            try (WorkerPools pools = pools(workers, BenchWorker.class.getName(), counts)) {
                pools.start();
                oneWay(pools, counts, ONE_WAY / 5);
                figures.put("bus_send_throughput_" + workers + "w_msgs_s", oneWay(pools, counts, ONE_WAY));
                pipelined(pools, PIPELINED / 5);
                figures.put("bus_pipelined_requests_" + workers + "w_per_s", pipelined(pools, PIPELINED));
            }
        }
        figures.putAll(burst());
        return figures;
    }

    /**
     * The one-way workload once the JIT has done its work on both sides: median of passes 4 to 8
     * (the shared workload measures pass 2, which still runs partly interpreted code); then the 1 MiB
     * round trip in the same child.
     */
    static Map<String, Object> warmFigures() throws Exception {
        try (ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = pm.runProcess(new EchoTask());
            expect(child.getNextMessage(), "ready");
            double[] passes = new double[5];
            for (int pass = 0; pass < 8; pass++) {
                double throughput = oneWayPass(child, Payloads.OBJECTS);
                if (pass >= 3) {
                    passes[pass - 3] = throughput;
                }
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("warm_throughput_msgs_s", Math.round(Stats.median(passes)));
            figures.put("warm_mib_rtt_ms", round(bigRoundTrips(child)));
            child.sendMessage(Message.of("exit", null));
            child.onExit().join();
            return figures;
        }
    }

    /** 1 MiB round trips, as the workload's; the median of the last {@link #WARM_BIG}, in milliseconds. */
    private static double bigRoundTrips(ChildProcess child) {
        double[] last = new double[WARM_BIG];
        for (int i = 0; i < WARM_BIG_ROUNDS; i++) {
            long started = System.nanoTime();
            child.sendMessage(Payloads.OBJECTS.big());
            expect(child.getNextMessage(), "big");
            int kept = i - (WARM_BIG_ROUNDS - WARM_BIG);
            if (kept >= 0) {
                last[kept] = (System.nanoTime() - started) / 1e6;
            }
        }
        return Stats.median(last);
    }

    /** The same through {@code MessageBus.send} into a pool of one: median of passes 4 to 8. */
    static long busWarmThroughput() throws Exception {
        Counts counts = new Counts();
        try (WorkerPools pools = pools(1, BenchWorker.class.getName(), counts)) {
            pools.start();
            double[] passes = new double[5];
            for (int pass = 0; pass < 8; pass++) {
                long throughput = oneWay(pools, counts, ONE_WAY);
                if (pass >= 3) {
                    passes[pass - 3] = throughput;
                }
            }
            return Math.round(Stats.median(passes));
        }
    }

    /** Start of a pool of one worker until it is ready; median of 5. */
    static double spawnMillis(String workerClass) {
        double[] spawns = new double[SPAWNS];
        for (int i = 0; i < SPAWNS; i++) {
            try (WorkerPools pools = pools(1, workerClass, new Counts())) {
                long started = System.nanoTime();
                pools.start();
                spawns[i] = (System.nanoTime() - started) / 1e6;
            }
        }
        return Stats.median(spawns);
    }

    /** Sends {@code total} messages as fast as the pool takes them; messages per second until all were handled. */
    static long oneWay(WorkerPools pools, Counts counts, int total) {
        WorkerPool pool = pools.pool("bench");
        long started = System.nanoTime();
        for (int i = 0; i < total; i++) {
            pools.send("bench", "t", new Ping(i));
        }
        long handled = countsAfterEnd(pools, counts);
        long elapsed = System.nanoTime() - started;
        if (handled != total) {
            // With more than one worker, messages a worker had read ahead may be moved to another after that
            // one's "end" (rebalancing, as when a worker starved of CPU looks busy): handled, and counted in
            // its next "end". With nothing in flight now, a second one counts exactly those.
            long late = countsAfterEnd(pools, counts);
            System.err.println("oneWay: " + late + " of " + total + " messages handled after their worker's end ("
                    + pool.snapshot().messagesMoved() + " moved to idle workers so far)");
            handled += late;
        }
        if (handled != total) {
            throw new IllegalStateException("handled " + handled + " of " + total);
        }
        return Math.round(total / (elapsed / 1e9));
    }

    /** Broadcasts {@code end}; the messages the workers counted since their last one, once nothing is in flight. */
    private static long countsAfterEnd(WorkerPools pools, Counts counts) {
        WorkerPool pool = pools.pool("bench");
        counts.byWorker.clear();
        int workers = pools.broadcast("bench", "end", null);
        while (counts.byWorker.size() < workers || pool.inFlight() != 0) { // "end" itself is acknowledged after "done"
            LockSupport.parkNanos(20_000);
        }
        return counts.byWorker.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Requests with up to {@value #OUTSTANDING} outstanding; replies per second. */
    static long pipelined(WorkerPools pools, int total) throws Exception {
        Semaphore outstanding = new Semaphore(OUTSTANDING);
        long started = System.nanoTime();
        CompletableFuture<?> last = null;
        for (int i = 0; i < total; i++) {
            outstanding.acquire();
            last = pools.request("bench", "ping-typed", new Ping(i), Ping.class).whenComplete((r, f) -> outstanding.release());
        }
        outstanding.acquire(OUTSTANDING);
        long elapsed = System.nanoTime() - started;
        if (last != null && last.isCompletedExceptionally()) {
            last.join();
        }
        return Math.round(total / (elapsed / 1e9));
    }

    /** A burst of {@value #BURST} sends into 2 slow workers: the parent's live heap stays bounded. */
    static Map<String, Object> burst() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        Counts counts = new Counts();
        try (WorkerPools pools = pools(2, BenchWorker.class.getName(), counts)) {
            pools.start();
            pools.broadcast("bench", "slow", 2_000);
            long before = liveHeap();
            long peak = before;
            long started = System.nanoTime();
            for (int i = 0; i < BURST; i++) {
                pools.send("bench", "t", new Ping(i));
                if (i % 100_000 == 99_999) {
                    peak = Math.max(peak, liveHeap());
                }
            }
            int workers = pools.broadcast("bench", "end", null);
            while (counts.byWorker.size() < workers) {
                LockSupport.parkNanos(100_000);
            }
            long handled = counts.byWorker.values().stream().mapToLong(Long::longValue).sum();
            if (handled != BURST) {
                throw new IllegalStateException("burst lost messages: " + handled);
            }
            figures.put("burst_msgs", BURST);
            figures.put("burst_seconds", round((System.nanoTime() - started) / 1e9));
            figures.put("burst_live_heap_before_mib", round(before / 1048576.0));
            figures.put("burst_live_heap_peak_mib", round(peak / 1048576.0));
        }
        return figures;
    }

    /** Heap in use after a full collection: what the parent actually retains. */
    static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void expect(Message message, String topic) {
        if (!message.topic().equals(topic)) {
            throw new IllegalStateException("expected " + topic + ", got " + message);
        }
    }

    private static void requireCount(Message done, long count) {
        long counted = countOf(done);
        if (counted != count) {
            throw new IllegalStateException("child counted " + counted + ", expected " + count);
        }
    }

    /**
     * The count of a {@code done} message, {@code {"count":N}}, read from its JSON text as the raw program
     * reads its own. Decoding it with Jackson would be the parent's first deserialization, whose ~60
     * classes would then load at the end of a warm-up pass while the parent's C2 compiles the send path:
     * compilations it discards ("concurrent class loading") and makes again in the measured pass
     * ({@code benchmarks/README.md}, item 26).
     */
    static long countOf(Message done) {
        String text = jsonText(done);
        String key = "{\"count\":";
        if (!text.startsWith(key) || !text.endsWith("}")) {
            throw new IllegalStateException("not a count: " + text);
        }
        return Long.parseLong(text.substring(key.length(), text.length() - 1));
    }

    /** Checks the first 1 MiB echo by its JSON text, for the same reason as {@link #countOf}. */
    private static void requireBigEcho(Message back) {
        if (!jsonText(back).equals("\"" + BIG_PAYLOAD + "\"")) {
            throw new IllegalStateException("1 MiB echo differs");
        }
    }

    /** A received message's payload as the JSON text it came as, not decoded. */
    private static String jsonText(Message message) {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try {
            message.writePayloadJson(json, DefaultJsonMapper.get());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return json.toString(StandardCharsets.UTF_8);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    static String json(String peer, Map<String, Object> figures) {
        StringBuilder json = new StringBuilder("{\"peer\":\"" + peer + "\"");
        figures.forEach((key, value) -> json.append(",\"").append(key).append("\":")
            .append((value instanceof Double d) ? String.format(Locale.ROOT, "%.2f", d) : value));
        return json.append('}').toString();
    }

}
