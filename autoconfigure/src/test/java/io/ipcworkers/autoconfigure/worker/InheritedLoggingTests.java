package io.ipcworkers.autoconfigure.worker;

import java.nio.file.Path;
import java.util.Map;

import io.ipcworkers.autoconfigure.logging.Slf4jProcessOutput;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.logging.LogFile;
import org.springframework.boot.support.EnvironmentPostProcessorApplicationListener;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** A Spring worker's logging settings, against those of the application it works for. */
class InheritedLoggingTests {

    @Test
    void aWorkerWhoseSettingsNameTheApplicationsLogFileWritesNone() {
        Map<String, String> application = told(Map.of("logging.file.name", "logs/app.log"));

        assertThat(logFileOf(worker(Map.of("logging.file.name", "logs/app.log"), application))).isNull();
        assertThat(logFileOf(worker(Map.of("logging.file.name", "./logs/../logs/app.log"), application))).isNull();
        assertThat(logFileOf(worker(Map.of("logging.file.name", Path.of("logs/app.log").toAbsolutePath().toString()),
                application))).isNull();
        // Boot's spring.log in the application's directory
        assertThat(logFileOf(worker(Map.of("logging.file.path", "logs"), told(Map.of("logging.file.path", "logs"))))).isNull();
    }

    @Test
    void aLogFileOfItsOwnAWorkerWrites() {
        Map<String, String> application = told(Map.of("logging.file.name", "logs/app.log"));

        assertThat(logFileOf(worker(Map.of("logging.file.name", "logs/worker.log"), application))).hasToString("logs/worker.log");
        assertThat(logFileOf(worker(Map.of("logging.file.path", "logs"), application))).hasToString("logs/spring.log");
        assertThat(logFileOf(worker(Map.of("logging.file.name", "logs/app.log"), Map.of()))).as("no word from the application")
            .hasToString("logs/app.log");
    }

    @Test
    void aWorkerWritesItsConsoleForTheApplicationToReadNotInTheApplicationsOwnFormat() {
        Map<String, Object> console = Map.of("logging.structured.format.console", "ecs", "logging.pattern.console", "%m%n",
                "logging.threshold.console", "WARN", "logging.charset.console", "ISO-8859-1");

        StandardEnvironment worker = worker(console, told(console));

        assertThat(worker.getProperty("logging.structured.format.console")).isEmpty();
        assertThat(worker.getProperty("logging.pattern.console")).isEqualTo(Slf4jProcessOutput.WORKER_CONSOLE_PATTERN);
        assertThat(worker.getProperty("logging.threshold.console")).isEqualTo("TRACE");
        assertThat(worker.getProperty("logging.charset.console")).isEqualTo("UTF-8");
    }

    @Test
    void aWorkerOfAnApplicationThatLogsToNoConsoleStillWritesItsOwnForTheApplication() {
        Map<String, Object> noConsole = Map.of("logging.console.enabled", "false", "logging.file.name", "logs/app.log");

        StandardEnvironment worker = worker(noConsole, told(noConsole));

        assertThat(worker.getProperty("logging.console.enabled")).isEqualTo("true");
        assertThat(logFileOf(worker)).isNull();
        // the way before Boot 3.5: an empty pattern, which Logback now refuses
        Map<String, Object> emptyPattern = Map.of("logging.pattern.console", "");
        assertThat(worker(emptyPattern, told(emptyPattern)).getProperty("logging.pattern.console"))
            .isEqualTo(Slf4jProcessOutput.WORKER_CONSOLE_PATTERN);
    }

    @Test
    void consoleSettingsOfItsOwnAWorkerKeeps() {
        Map<String, String> application = told(Map.of("logging.structured.format.console", "ecs", "logging.pattern.console", "%m%n"));

        StandardEnvironment worker = worker(Map.of("logging.structured.format.console", "logstash",
                "logging.pattern.console", "%level %m%n"), application);

        assertThat(worker.getProperty("logging.structured.format.console")).isEqualTo("logstash");
        assertThat(worker.getProperty("logging.pattern.console")).isEqualTo("%level %m%n");
        assertThat(worker(Map.of("logging.threshold.console", "WARN"), Map.of()).getProperty("logging.threshold.console"))
            .isEqualTo("WARN");
    }

    @Test
    void theApplicationTellsOnlyWhatItSets() {
        assertThat(told(Map.of())).isEmpty();
        assertThat(told(Map.of("logging.file.path", "logs", "logging.threshold.console", "WARN")))
            .containsOnlyKeys("IPCWORKERS_APPLICATION_LOG_FILE", "IPCWORKERS_APPLICATION_CONSOLE_THRESHOLD")
            .containsEntry("IPCWORKERS_APPLICATION_LOG_FILE", "logs/spring.log");
    }

    @Test
    void itLooksOnceTheConfigurationFilesAreReadAndBeforeLoggingStarts() {
        assertThat(new InheritedLogging((variable) -> null).getOrder())
            .isGreaterThan(EnvironmentPostProcessorApplicationListener.DEFAULT_ORDER)
            .isLessThan(LoggingApplicationListener.DEFAULT_ORDER);
    }

    /** The variables an application of these settings gives its workers. */
    private static Map<String, String> told(Map<String, Object> applicationSettings) {
        return InheritedLogging.variables(environment(applicationSettings));
    }

    /** A worker's environment of these settings, once the listener has looked at it. */
    private static StandardEnvironment worker(Map<String, Object> settings, Map<String, String> told) {
        StandardEnvironment environment = environment(settings);
        new InheritedLogging(told::get).onApplicationEvent(new ApplicationEnvironmentPreparedEvent(
                new DefaultBootstrapContext(), new SpringApplication(), new String[0], environment));
        return environment;
    }

    private static StandardEnvironment environment(Map<String, Object> settings) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addLast(new MapPropertySource("application.yml", settings));
        return environment;
    }

    private static @Nullable LogFile logFileOf(StandardEnvironment environment) {
        return LogFile.get(environment);
    }
}
