package io.ipcworkers.autoconfigure.worker;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.logging.LogFile;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Keeps a Spring worker from writing the application's own log file. A worker reads the application's
 * configuration files, so their {@code logging.file.name} would have every worker append to the file the
 * application writes, and roll it on its own, while the worker's lines reach that file anyway: the
 * application logs what its workers print. The application names its file
 * ({@link SpringWorkerBootstrap#APPLICATION_LOG_FILE_VARIABLE}); a worker whose settings name the same one
 * writes no file. One of its own (in {@code application-ipc-worker.yml}, say) it writes.
 */
final class ApplicationLogFileGuard implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private final @Nullable String applicationLogFile;

    ApplicationLogFileGuard(@Nullable String applicationLogFile) {
        this.applicationLogFile = applicationLogFile;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        LogFile own = LogFile.get(environment);
        if (own != null && this.applicationLogFile != null && sameFile(own.toString(), this.applicationLogFile)) {
            environment.getPropertySources().addFirst(new MapPropertySource("ipcWorkerWithoutApplicationLogFile",
                    Map.of(LogFile.FILE_NAME_PROPERTY, "", LogFile.FILE_PATH_PROPERTY, "")));
        }
    }

    /** Both resolved against the working directory, which a worker shares with the application. */
    private static boolean sameFile(String own, String application) {
        try {
            return Path.of(own).toAbsolutePath().normalize().equals(Path.of(application).toAbsolutePath().normalize());
        }
        catch (InvalidPathException ex) {
            return own.equals(application); // the logging system will say what is wrong with it
        }
    }

    /** Once the configuration files are read (Boot's environment post-processors), before logging starts. */
    @Override
    public int getOrder() {
        return LoggingApplicationListener.DEFAULT_ORDER - 5;
    }
}
