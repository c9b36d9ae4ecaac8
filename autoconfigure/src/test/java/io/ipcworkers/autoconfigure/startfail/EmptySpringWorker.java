package io.ipcworkers.autoconfigure.startfail;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A Spring worker whose beans declare no @IpcListener method: its workers could never do anything. */
@Configuration(proxyBeanMethods = false)
public class EmptySpringWorker {

    @Bean
    String notAListener() {
        return "nothing to see";
    }
}
