package io.ipcworkers.autoconfigure.it.springworker;

import io.ipcworkers.ParentProcess;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring worker. It sits inside the test application's component-scanned packages on purpose:
 * in the parent there is no ParentProcess bean, so instantiating it there would fail start-up. It
 * auto-configures Jackson, so its payloads go through Boot's {@code JsonMapper} and its
 * {@code spring.jackson.*} settings (the pool's environment gives it one).
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(JacksonAutoConfiguration.class)
public class SpringWorkerConfig {

    @Bean
    GreetingService greetingService(ParentProcess parent) {
        return new GreetingService(parent, "Hello");
    }
}
