package io.ipcworkers.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
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
    void workerClassWhoseListenersAreAllForOtherPools() {
        assertInvalid("ipc.pools.p.worker", "names " + OtherPoolsOnly.class.getName() + ", whose @IpcListener "
                + "methods all name other pools", "ipc.pools.p.worker=" + OtherPoolsOnly.class.getName());
    }

    @Test
    void plainWorkerClassWithAPlaceholderTopic() {
        assertInvalid("ipc.pools.p.worker", "names " + PlaceholderTopic.class.getName() + ", whose @IpcListener method "
                + "PlaceholderTopic.x names '${app.topic}', but placeholders and expressions are resolved in Spring "
                + "beans only", "ipc.pools.p.worker=" + PlaceholderTopic.class.getName(), "app.topic=x");
    }

    @Test
    void workerClassWithAListenerTakingTwoPayloads() {
        assertInvalid("ipc.pools.p.worker", "names " + TwoPayloads.class.getName() + ", whose workers would fail to "
                + "start: @IpcListener method " + TwoPayloads.class.getName() + ".both(String, Integer) has more than "
                + "one payload parameter", "ipc.pools.p.worker=" + TwoPayloads.class.getName());
    }

    @Test
    void workerClassWithAListenerWithABlankTopic() {
        assertInvalid("ipc.pools.p.worker", "must name at least one non-blank topic",
                "ipc.pools.p.worker=" + BlankTopic.class.getName());
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

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            max-waiting              | -1    | must not be negative, but is -1
            max-in-flight            | 0     | must be at least 1, but is 0
            acquire-timeout          | -5s   | must be positive
            stop-timeout             | 0ms   | must be positive
            restart.backoff          | 0s    | must be positive
            restart.max-crashes      | 0     | must be at least 1, but is 0
            heartbeat.timeout        | 1500ms | (PT1.5S) must be at least twice heartbeat.interval (PT1S)
            handler-timeout          | 0s    | must be positive
            recycle.after-messages   | -10   | must not be negative
            recycle.jitter           | 1.5   | must be between 0 and 1, but is 1.5
            recycle.max-heap         | -1MB  | must not be negative, but is -1048576B
            recycle.max-rss          | -2GB  | must not be negative, but is -2147483648B
            delivery.max-redeliveries | -1   | must not be negative
            """)
    void invalidPoolSetting(String setting, String value, String problem) {
        assertInvalid("ipc.pools.p." + setting, problem, "ipc.pools.p." + setting + "=" + value,
                "ipc.pools.p.worker=" + PlainWorker.class.getName());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            ipc.max-frame-length  | 512B | It must be between 1KB and 2GB.
            ipc.max-frame-length  | 3GB  | It must be between 1KB and 2GB.
            ipc.process-manager.stop-grace-period | -1s | It must not be negative (0 kills children at once).
            ipc.process-manager.start-timeout     | 0s  | It must be positive.
            """)
    void invalidGlobalSettingIsReportedByBootWithItsOrigin(String property, String value, String reason) {
        this.runner.withPropertyValues(property + "=" + value).run((context) -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = findCause(context.getStartupFailure(),
                    InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo(property);
            assertThat(invalid.getReason()).isEqualTo(reason);
        });
    }

    @Test
    void aPoolEnvironmentNoProcessCanHoldIsReportedByItsNamesOnly() {
        String[] properties = { "ipc.pools.p.environment.TOKEN=s3cret\0tail",
                "ipc.pools.p.worker=" + PlainWorker.class.getName() };
        assertInvalid("ipc.pools.p.environment", "has variable 'TOKEN': a name must not be empty nor hold '=' or NUL, "
                + "a value must not hold NUL", properties);
        this.runner.withPropertyValues(properties).run((context) -> {
            Throwable failure = context.getStartupFailure();
            for (Throwable current = failure; current != null; current = current.getCause()) {
                assertThat(String.valueOf(current.getMessage())).doesNotContain("s3cret");
            }
            assertThat(new InvalidPoolConfigurationFailureAnalyzer().analyze(failure).getDescription())
                .doesNotContain("s3cret");
        });
    }

    @Test
    void aChildEnvironmentNoProcessCanHoldIsReportedByBootByItsNamesOnly() {
        this.runner.withPropertyValues("ipc.process-manager.environment.TOKEN=s3cret\0tail").run((context) -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = findCause(context.getStartupFailure(),
                    InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("ipc.process-manager.environment");
            assertThat(invalid.getValue()).hasToString("[TOKEN]");
            assertThat(invalid.getReason()).contains("'TOKEN'", "a value must not hold NUL").doesNotContain("s3cret");
        });
    }

    @Test
    void aClassDataSharingDirectoryThatCannotBeCreatedIsReportedByBootWithItsOrigin(@TempDir Path temp) throws IOException {
        Path file = Files.write(temp.resolve("a-file"), new byte[] { 1 });
        String directory = file.resolve("cds").toString();
        this.runner.withPropertyValues("ipc.class-data-sharing.directory=" + directory).run((context) -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = findCause(context.getStartupFailure(),
                    InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("ipc.class-data-sharing.directory");
            assertThat(invalid.getValue()).hasToString(directory);
            assertThat(invalid.getReason()).startsWith("It cannot be created (java.nio.file.")
                .endsWith("Set it to a directory this application's user can create, or leave it unset.");
        });
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
            InvalidPoolConfigurationException invalid = findCause(failure, InvalidPoolConfigurationException.class);
            assertThat(invalid.getProperty()).isEqualTo(property);
            assertThat(invalid.getMessage()).contains(problem);
            FailureAnalysis analysis = new InvalidPoolConfigurationFailureAnalyzer().analyze(failure);
            assertThat(analysis.getDescription()).contains("Worker pool 'p'").contains(property).contains(problem);
            assertThat(analysis.getAction()).contains("ipc.pools.p");
        });
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
    }

    public static class NoListeners {

        public void notAListener(String payload) {
        }
    }

    public static class OtherPoolsOnly {

        @io.ipcworkers.IpcListener(topics = "x", pool = "q")
        public void x() {
        }
    }

    public static class PlaceholderTopic {

        @io.ipcworkers.IpcListener(topics = "${app.topic}")
        public void x() {
        }
    }

    public static class TwoPayloads {

        @io.ipcworkers.IpcListener("x")
        public void both(String one, Integer other) {
        }
    }

    public static class BlankTopic {

        @io.ipcworkers.IpcListener(" ")
        public void x() {
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
