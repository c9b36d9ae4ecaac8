package io.ipcworkers.autoconfigure.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ipcworkers.ParentProcess;
import io.ipcworkers.autoconfigure.IpcListenerAnnotationBeanPostProcessor;
import io.ipcworkers.autoconfigure.IpcListenerBeanLazyInitializationExcludeFilter;
import io.ipcworkers.autoconfigure.logging.Slf4jProcessOutput;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.pool.PoolObserver;
import io.ipcworkers.worker.ConnectedParentProcess;
import io.ipcworkers.worker.WorkerBootstrap;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.ApplicationPidFileWriter;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.SpringProperties;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Boots a Spring worker inside its worker JVM: a minimal, non-web application context from the
 * pool's {@code worker} class, with the {@link ParentProcess} as an injectable bean, the profile
 * {@value #WORKER_PROFILE} active (for worker-only settings in {@code application-ipc-worker.yml}),
 * and the {@code @IpcListener} methods of its beans registered. Found by {@code ServiceLoader}.
 */
public final class SpringWorkerBootstrap implements WorkerBootstrap {

    /** Profile active in every Spring worker. */
    public static final String WORKER_PROFILE = "ipc-worker";

    /**
     * Spring Boot DevTools' switch for its restarts. On a developer's class path, DevTools would restart a
     * worker as it does the application: end its main thread and run its main class again, which reads a
     * bootstrap the parent sent once; the worker would never be ready.
     */
    private static final String DEVTOOLS_RESTART_PROPERTY = "spring.devtools.restart.enabled";

    /**
     * Spring's switch for the initializers its ahead-of-time processing generated, which are the
     * application's: none is made for a worker's configuration, so a worker that inherited the switch (in
     * {@code JAVA_TOOL_OPTIONS}) would fail looking for its own.
     */
    private static final String AOT_PROPERTY = "spring.aot.enabled";

    @Override
    public AutoCloseable start(Class<?> configuration, ConnectedParentProcess parent, ListenerRegistry registry) {
        System.setProperty(DEVTOOLS_RESTART_PROPERTY, "false"); // read by DevTools as the application starts
        SpringProperties.setFlag(AOT_PROPERTY, false); // read before any system property
        SpringApplication application = new WorkerApplication(configuration);
        application.setAdditionalProfiles(WORKER_PROFILE);
        application.addListeners(new InheritedLogging(System::getenv));
        // the parent re-logs each line with its own timestamp, pid and the worker in the MDC, read as UTF-8
        application.setDefaultProperties(Map.of("logging.pattern.console", Slf4jProcessOutput.WORKER_CONSOLE_PATTERN,
                "logging.charset.console", "UTF-8"));
        application.addInitializers((ConfigurableApplicationContext context) -> {
            context.getBeanFactory().registerSingleton("ipcParentProcess", parent);
            // spring.main.lazy-initialization would leave every listener bean uncreated
            context.getBeanFactory().registerSingleton("ipcListenerBeanLazyInitializationExcludeFilter",
                    new IpcListenerBeanLazyInitializationExcludeFilter());
            IpcListenerAnnotationBeanPostProcessor listeners = new IpcListenerAnnotationBeanPostProcessor(() -> registry);
            listeners.setBeanFactory(context.getBeanFactory());
            listeners.setEnvironment(context.getEnvironment());
            context.getBeanFactory().addBeanPostProcessor(listeners);
        });
        ConfigurableApplicationContext context = application.run(ApplicationCommandLine.arguments(System::getenv));
        context.getBeanProvider(JsonMapper.class).ifAvailable((mapper) -> parent.useCodec(new MessageCodec(mapper)));
        // ipc.observation-enabled with an ObservationRegistry in the worker's context: its listeners continue the parent's traces
        context.getBeanProvider(PoolObserver.class).ifUnique(parent::observeWith);
        return context::close;
    }

    /**
     * A worker's application: no web server, banner or start-up line, whatever the application's
     * {@code spring.main.*} settings say, which a worker reads too (the same configuration files): bound
     * after the setters, they would win, and {@code web-application-type: servlet} would start a server.
     * Nor does it write the application's PID file.
     */
    private static final class WorkerApplication extends SpringApplication {

        WorkerApplication(Class<?> configuration) {
            super(configuration);
            setListeners(withoutPidFileWriter(getListeners()));
            settle();
        }

        /**
         * The listeners of the application's {@code META-INF/spring.factories} but Boot's PID file writer, the
         * way Boot documents to write one: a worker reads the same file name ({@code spring.pid.file} or the
         * {@code PIDFILE} it inherits), so it would put its own PID in the application's file, for a
         * {@code kill $(cat app.pid)} to stop a worker, and delete that file as it exits.
         */
        private static List<ApplicationListener<?>> withoutPidFileWriter(Iterable<ApplicationListener<?>> listeners) {
            List<ApplicationListener<?>> kept = new ArrayList<>();
            for (ApplicationListener<?> listener : listeners) {
                if (!(listener instanceof ApplicationPidFileWriter)) {
                    kept.add(listener);
                }
            }
            return kept;
        }

        @Override
        protected void bindToSpringApplication(ConfigurableEnvironment environment) {
            super.bindToSpringApplication(environment);
            settle();
        }

        private void settle() {
            setWebApplicationType(WebApplicationType.NONE);
            setBannerMode(Banner.Mode.OFF);
            setLogStartupInfo(false);
        }
    }
}
