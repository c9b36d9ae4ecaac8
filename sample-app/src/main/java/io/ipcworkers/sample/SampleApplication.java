package io.ipcworkers.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Counts the primes below a limit in a pool of plain worker JVMs, follows their progress in a parent
 * {@code @IpcListener}, and has a Spring worker write the report. Exits when done; closing the
 * context stops every worker.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(SampleApplication.class, args)));
    }
}
