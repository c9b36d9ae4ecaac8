package io.ipcworkers.sample.reports;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.ipcworkers.IpcListener;
import io.ipcworkers.sample.primes.PrimeCount;

/** Turns the counts into a printable report; runs in the Spring worker's JVM. */
public class ReportWriter {

    private final String title;

    ReportWriter(String title) {
        this.title = title;
    }

    /** The request payload: every chunk's count and the limit they add up to. */
    public record ReportRequest(long limit, List<PrimeCount> counts) {
    }

    @IpcListener("write-report")
    public String write(ReportRequest request) {
        long total = request.counts().stream().mapToLong(PrimeCount::primes).sum();
        String perWorker = request.counts().stream()
            .collect(Collectors.groupingBy(PrimeCount::workerPid, Collectors.summingLong(PrimeCount::primes)))
            .entrySet().stream()
            .sorted(java.util.Map.Entry.comparingByKey())
            .map((entry) -> String.format(Locale.ROOT, "  worker pid %d found %,d", entry.getKey(), entry.getValue()))
            .collect(Collectors.joining("\n"));
        String slowest = request.counts().stream().max(Comparator.comparingLong(PrimeCount::millis))
            .map((count) -> "chunk " + count.chunk() + " took longest, " + count.millis() + " ms").orElse("");
        return String.format(Locale.ROOT, "%s (written by Spring worker pid %d)%n  %,d primes below %,d%n%s%n  %s",
                this.title, ProcessHandle.current().pid(), total, request.limit(), perWorker, slowest);
    }
}
