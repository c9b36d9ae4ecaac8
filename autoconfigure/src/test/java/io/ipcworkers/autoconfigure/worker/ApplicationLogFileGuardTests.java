package io.ipcworkers.autoconfigure.worker;

import java.nio.file.Path;
import java.util.Map;

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

/** A Spring worker's log file, against the one the application writes. */
class ApplicationLogFileGuardTests {

    private static final String APPLICATION_LOG = Path.of("logs/app.log").toAbsolutePath().toString();

    @Test
    void aWorkerWhoseSettingsNameTheApplicationsLogFileWritesNone() {
        assertThat(logFileOfWorker(Map.of("logging.file.name", "logs/app.log"), APPLICATION_LOG)).isNull();
        assertThat(logFileOfWorker(Map.of("logging.file.name", "./logs/../logs/app.log"), APPLICATION_LOG)).isNull();
        // Boot's spring.log in the application's directory
        assertThat(logFileOfWorker(Map.of("logging.file.path", "logs"), Path.of("logs/spring.log").toAbsolutePath().toString()))
            .isNull();
    }

    @Test
    void aLogFileOfItsOwnAWorkerWrites() {
        assertThat(logFileOfWorker(Map.of("logging.file.name", "logs/worker.log"), APPLICATION_LOG)).hasToString("logs/worker.log");
        assertThat(logFileOfWorker(Map.of("logging.file.path", "logs"), APPLICATION_LOG)).hasToString("logs/spring.log");
    }

    @Test
    void aWorkerOfAnApplicationWithoutALogFileKeepsItsOwnSettings() {
        assertThat(logFileOfWorker(Map.of("logging.file.name", "logs/app.log"), null)).hasToString("logs/app.log");
        assertThat(logFileOfWorker(Map.of(), APPLICATION_LOG)).isNull();
    }

    @Test
    void itLooksOnceTheConfigurationFilesAreReadAndBeforeLoggingStarts() {
        assertThat(new ApplicationLogFileGuard(APPLICATION_LOG).getOrder())
            .isGreaterThan(EnvironmentPostProcessorApplicationListener.DEFAULT_ORDER)
            .isLessThan(LoggingApplicationListener.DEFAULT_ORDER);
    }

    private static @Nullable LogFile logFileOfWorker(Map<String, Object> settings, @Nullable String applicationLogFile) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addLast(new MapPropertySource("application.yml", settings));
        new ApplicationLogFileGuard(applicationLogFile).onApplicationEvent(new ApplicationEnvironmentPreparedEvent(
                new DefaultBootstrapContext(), new SpringApplication(), new String[0], environment));
        return LogFile.get(environment);
    }
}
