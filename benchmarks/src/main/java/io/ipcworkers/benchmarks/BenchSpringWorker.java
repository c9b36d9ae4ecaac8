package io.ipcworkers.benchmarks;

import io.ipcworkers.IpcListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A minimal Spring worker, for the Spring worker start-up figure. */
@Configuration(proxyBeanMethods = false)
public class BenchSpringWorker {

    @Bean
    Echo echo() {
        return new Echo();
    }

    /** Its one listener. */
    public static class Echo {

        @IpcListener("ping")
        public Object ping(Object payload) {
            return payload;
        }
    }
}
