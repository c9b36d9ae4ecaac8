package io.ipcworkers.sample;

import java.util.Map;

import io.ipcworkers.pool.WorkerPools;
import io.ipcworkers.sample.reports.ReportWorkerConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample's main job, end to end, in this JVM as parent (from the exploded class path). */
@SpringBootTest(properties = { "sample.limit=2000000", "sample.chunks=4" })
class SampleApplicationTests {

    @Autowired
    PrimeReportRunner runner;

    @Autowired
    WorkerPools pools;

    @Autowired
    ApplicationContext context;

    @Test
    void countsPrimesInPlainWorkersAndWritesTheReportInASpringWorker() {
        assertThat(this.runner.report()).contains("148,933 primes below 2,000,000")
            .contains("written by Spring worker pid " + this.pools.pool("reports").workerPids().get(0));
        assertThat(this.pools.pool("primes").workerPids()).hasSize(2);
    }

    @Test
    void theChunksSentAtOnceAreSpreadOverBothPrimeWorkers() {
        // the first two go to the two idle workers; the next two, as a rule, one each, but on a loaded machine
        // a worker done early takes more (routed to it when idle, or moved to it by rebalancing)
        Map<Long, Long> chunksByWorker = this.runner.chunksByWorker();
        assertThat(chunksByWorker).containsOnlyKeys(this.pools.pool("primes").workerPids())
            .allSatisfy((pid, chunks) -> assertThat(chunks).isPositive());
        assertThat(chunksByWorker.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4);
    }

    @Test
    void aOneOffChildJvmChecksTheCountWithASieve() {
        assertThat(this.runner.check()).startsWith("Checked by a one-off child JVM (pid ")
            .contains("exit code 0").contains("148,933 primes").endsWith("the same count");
    }

    @Test
    void theSpringWorkersConfigurationStaysOutOfTheParent() {
        assertThat(this.context.getBeanNamesForType(ReportWorkerConfiguration.class)).isEmpty();
    }
}
