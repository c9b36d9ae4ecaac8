package io.ipcworkers.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.MessageBus;
import io.ipcworkers.ProcessManager;
import io.ipcworkers.sample.primes.PrimeCount;
import io.ipcworkers.sample.primes.PrimeRange;
import io.ipcworkers.sample.primes.Progress;
import io.ipcworkers.sample.primes.SieveCheck;
import io.ipcworkers.sample.reports.ReportWriter.ReportRequest;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * The main job: fan the range out to the "primes" pool, follow progress, gather the counts, and
 * ask the "reports" pool for the report; then have a one-off child JVM check the count another way.
 */
@Component
public class PrimeReportRunner implements ApplicationRunner {

    private final MessageBus bus;

    private final ProcessManager processManager;

    private final SampleProperties properties;

    private volatile String report = "";

    private volatile String check = "";

    private volatile Map<Long, Long> chunksByWorker = Map.of();

    PrimeReportRunner(MessageBus bus, ProcessManager processManager, SampleProperties properties) {
        this.bus = bus;
        this.processManager = processManager;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        long started = System.nanoTime();
        List<CompletableFuture<PrimeCount>> counts = new ArrayList<>();
        long step = Math.max(1, this.properties.limit() / this.properties.chunks());
        int chunk = 0;
        for (long from = 0; from < this.properties.limit(); from += step) {
            PrimeRange range = new PrimeRange(++chunk, from, Math.min(from + step, this.properties.limit()));
            counts.add(this.bus.request("primes", "count-primes", range, PrimeCount.class));
        }
        List<PrimeCount> results = counts.stream().map(CompletableFuture::join).toList();
        this.chunksByWorker = results.stream().collect(Collectors.groupingBy(PrimeCount::workerPid, Collectors.counting()));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        long total = results.stream().mapToLong(PrimeCount::primes).sum();
        System.out.printf(Locale.ROOT, "%nCounted %,d primes below %,d in %d chunks on worker JVMs %s in %d ms%n",
                total, this.properties.limit(), results.size(),
                results.stream().map(PrimeCount::workerPid).distinct().sorted().toList(), elapsed.toMillis());
        this.report = this.bus.request("reports", "write-report", new ReportRequest(this.properties.limit(), results),
                String.class).join();
        System.out.println();
        System.out.println(this.report);
        System.out.println();
        this.check = checkWithASieve(total);
        System.out.println(this.check);
    }

    /** The seed-style API: one child JVM, one message each way, then it exits. */
    private String checkWithASieve(long total) {
        ChildProcess child = this.processManager.runProcess(new SieveCheck());
        child.sendMessage(Message.of("limit", this.properties.limit()));
        PrimeCount sieved = child.getNextMessage(Duration.ofMinutes(2)).payloadAs(PrimeCount.class);
        int exitCode = child.onExit().join();
        return String.format(Locale.ROOT, "Checked by a one-off child JVM (pid %d, exit code %d) with a sieve: "
                + "%,d primes in %d ms, %s", sieved.workerPid(), exitCode, sieved.primes(), sieved.millis(),
                (sieved.primes() == total) ? "the same count" : "A DIFFERENT COUNT");
    }

    /** Progress messages from the prime workers arrive here, in order per worker. */
    @IpcListener(topics = "progress", pool = "primes")
    public void progress(Progress progress, ChildProcess worker) {
        System.out.printf(Locale.ROOT, "  chunk %d: %3d%% (worker pid %d)%n", progress.chunk(), progress.percent(),
                worker.getId());
    }

    /** The last report written; for tests. */
    String report() {
        return this.report;
    }

    /** The sieve's check of the last count; for tests. */
    String check() {
        return this.check;
    }

    /** How many chunks each prime worker counted, by pid; for tests. */
    Map<Long, Long> chunksByWorker() {
        return this.chunksByWorker;
    }
}
