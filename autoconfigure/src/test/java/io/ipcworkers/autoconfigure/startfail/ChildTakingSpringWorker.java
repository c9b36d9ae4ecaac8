package io.ipcworkers.autoconfigure.startfail;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A Spring worker whose listener asks for a ChildProcess, which a worker never has. */
@Configuration(proxyBeanMethods = false)
public class ChildTakingSpringWorker {

    @Bean
    Listener listener() {
        return new Listener();
    }

    public static class Listener {

        @IpcListener("work")
        public void work(String job, ChildProcess sender) {
        }
    }
}
