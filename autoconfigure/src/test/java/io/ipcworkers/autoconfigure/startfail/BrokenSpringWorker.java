package io.ipcworkers.autoconfigure.startfail;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A Spring worker whose context cannot start. */
@Configuration(proxyBeanMethods = false)
public class BrokenSpringWorker {

    @Bean
    String database() {
        throw new IllegalStateException("database url missing in the worker");
    }
}
