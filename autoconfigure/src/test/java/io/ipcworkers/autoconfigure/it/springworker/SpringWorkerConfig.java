package io.ipcworkers.autoconfigure.it.springworker;

import io.ipcworkers.ParentProcess;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring worker. It sits inside the test application's component-scanned packages on purpose:
 * in the parent there is no ParentProcess bean, so instantiating it there would fail start-up.
 */
@Configuration(proxyBeanMethods = false)
public class SpringWorkerConfig {

    @Bean
    GreetingService greetingService(ParentProcess parent) {
        return new GreetingService(parent, "Hello");
    }
}
