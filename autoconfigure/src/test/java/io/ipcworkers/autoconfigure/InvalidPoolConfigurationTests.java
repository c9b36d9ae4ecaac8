package io.ipcworkers.autoconfigure;

import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Invalid pool configuration fails start-up with a report naming the pool, the property and the fix. */
@ExtendWith(OutputCaptureExtension.class)
class InvalidPoolConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, IpcWorkersAutoConfiguration.class))
        .withPropertyValues("ipc.auto-startup=false");

    @Test
    void zeroWorkers() {
        assertInvalid("ipc.pools.p.workers", "must be at least 1, but is 0", "ipc.pools.p.workers=0",
                "ipc.pools.p.worker=" + PlainWorker.class.getName());
    }

    @Test
    void negativeWorkers() {
        assertInvalid("ipc.pools.p.workers", "must be at least 1, but is -2", "ipc.pools.p.workers=-2",
                "ipc.pools.p.worker=" + PlainWorker.class.getName());
    }

    @Test
    void missingWorkerClass() {
        assertInvalid("ipc.pools.p.worker", "is not set", "ipc.pools.p.workers=2");
    }

    @Test
    void unknownWorkerClass() {
        assertInvalid("ipc.pools.p.worker", "names class 'com.example.Missing', which cannot be loaded",
                "ipc.pools.p.worker=com.example.Missing");
    }

    @Test
    void workerClassWithoutListeners() {
        assertInvalid("ipc.pools.p.worker", "has no @IpcListener methods",
                "ipc.pools.p.worker=" + NoListeners.class.getName());
    }

    @Test
    void workerClassWithoutNoArgConstructor() {
        assertInvalid("ipc.pools.p.worker", "cannot be instantiated with a no-arg constructor",
                "ipc.pools.p.worker=" + NeedsArgument.class.getName());
    }

    @Test
    void nonPositiveTimeout() {
        assertInvalid("ipc.pools.p.request-timeout", "must be positive", "ipc.pools.p.request-timeout=0s",
                "ipc.pools.p.worker=" + PlainWorker.class.getName());
    }

    @Test
    void workerCountThatIsNotANumberFailsBinding() {
        this.runner.withPropertyValues("ipc.pools.p.workers=lots", "ipc.pools.p.worker=" + PlainWorker.class.getName())
            .run((context) -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("lots"));
    }

    @Test
    void springWorkerConfigurationIsAcceptedWithoutInspectingItsBeans() {
        this.runner.withPropertyValues("ipc.pools.p.worker=" + SpringWorkerConfig.class.getName())
            .run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void startupReportNamesPoolPropertyAndFix(CapturedOutput output) {
        SpringApplication application = new SpringApplication(MinimalApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setDefaultProperties(java.util.Map.of("ipc.pools.thumbs.workers", "0", "ipc.pools.thumbs.worker",
                PlainWorker.class.getName()));
        assertThatException().isThrownBy(application::run);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Worker pool 'thumbs' is misconfigured")
            .contains("Property: ipc.pools.thumbs.workers")
            .contains("Set ipc.pools.thumbs.workers to the number of worker JVMs");
    }

    private void assertInvalid(String property, String problem, String... properties) {
        this.runner.withPropertyValues(properties).run((context) -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            InvalidPoolConfigurationException invalid = findCause(failure);
            assertThat(invalid.getProperty()).isEqualTo(property);
            assertThat(invalid.getMessage()).contains(problem);
            FailureAnalysis analysis = new InvalidPoolConfigurationFailureAnalyzer().analyze(failure);
            assertThat(analysis.getDescription()).contains("Worker pool 'p'").contains(property).contains(problem);
            assertThat(analysis.getAction()).contains("ipc.pools.p");
        });
    }

    private static InvalidPoolConfigurationException findCause(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof InvalidPoolConfigurationException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("no InvalidPoolConfigurationException in " + failure, failure);
    }

    public static class NoListeners {

        public void notAListener(String payload) {
        }
    }

    public static class NeedsArgument {

        public NeedsArgument(String argument) {
        }

        @io.ipcworkers.IpcListener("x")
        public void x() {
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class MinimalApp {
    }
}
