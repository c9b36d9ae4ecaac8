package io.ipcworkers.sample.reports;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring worker: its JVM boots this minimal context (no web server) and its beans handle
 * messages. It sits in the application's scanned packages; the starter keeps it out of the parent.
 */
@Configuration(proxyBeanMethods = false)
public class ReportWorkerConfiguration {

    @Bean
    ReportWriter reportWriter(@Value("${sample.report.title:Prime report}") String title) {
        return new ReportWriter(title);
    }
}
