package io.ipcworkers.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.MessageBus;
import io.ipcworkers.sample.primes.PrimeCount;
import io.ipcworkers.sample.primes.PrimeRange;
import io.ipcworkers.sample.primes.Progress;
import io.ipcworkers.sample.reports.ReportWriter.ReportRequest;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * The main job: fan the range out to the "primes" pool, follow progress, gather the counts, and
 * ask the "reports" pool for the report.
 */
@Component
public class PrimeReportRunner implements ApplicationRunner {

    private final MessageBus bus;

    private final SampleProperties properties;

    private volatile String report = "";

    PrimeReportRunner(MessageBus bus, SampleProperties properties) {
        this.bus = bus;
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
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf(Locale.ROOT, "%nCounted %,d primes below %,d in %d chunks on worker JVMs %s in %d ms%n",
                results.stream().mapToLong(PrimeCount::primes).sum(), this.properties.limit(), results.size(),
                results.stream().map(PrimeCount::workerPid).distinct().sorted().toList(), elapsed.toMillis());
        this.report = this.bus.request("reports", "write-report", new ReportRequest(this.properties.limit(), results),
                String.class).join();
        System.out.println();
        System.out.println(this.report);
        System.out.println();
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
}
