package io.ipcworkers.autoconfigure.it;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The parent application of the integration tests; scans this package and the Spring worker's. */
@SpringBootApplication
public class TestApplication {
}
