package io.ipcworkers.autoconfigure;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Registers the {@link WorkerClassExcludeFilter} before component scanning runs: auto-configured
 * beans come too late for that, initializers do not.
 */
class WorkerClassExcludeFilterInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final String BEAN_NAME = "io.ipcworkers.autoconfigure.workerClassExcludeFilter";

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        WorkerClassExcludeFilter filter = new WorkerClassExcludeFilter(context.getEnvironment());
        if (!filter.workerClasses().isEmpty() && !context.getBeanFactory().containsSingleton(BEAN_NAME)) {
            context.getBeanFactory().registerSingleton(BEAN_NAME, filter);
        }
    }
}
