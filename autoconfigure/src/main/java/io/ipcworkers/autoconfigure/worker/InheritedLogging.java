package io.ipcworkers.autoconfigure.worker;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.ipcworkers.autoconfigure.logging.Slf4jProcessOutput;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.logging.LogFile;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertyResolver;

/**
 * The application's logging settings that a Spring worker reads from the same configuration files and
 * must not repeat. Its own log file: every worker would append to the file the application writes, and
 * roll it on its own, while the worker's lines reach that file anyway, as the application logs what its
 * workers print. And its console: a worker's console is the application's input, which keeps a line's
 * level only when the line starts with it ({@link Slf4jProcessOutput#WORKER_CONSOLE_PATTERN}). Structured
 * JSON or a pattern of the application's own would have every line logged at INFO, a console threshold
 * would drop lines the application's own levels keep, a console charset other than UTF-8 (which the
 * application reads) would garble them, and an application that logs to its file only
 * ({@code logging.console.enabled: false}) would hear nothing from its workers.
 * <p>
 * The application tells its workers what it uses ({@link #variables}); a worker whose settings say the same
 * takes the worker's defaults instead. A worker's own (in {@code application-ipc-worker.yml}) it keeps.
 */
public final class InheritedLogging implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final String LOG_FILE = "IPCWORKERS_APPLICATION_LOG_FILE";

    /** The console settings, each with the variable the application names its own in and what a worker takes instead. */
    private static final List<Setting> CONSOLE = List.of(
            new Setting("logging.console.enabled", "IPCWORKERS_APPLICATION_CONSOLE_ENABLED", "true"),
            new Setting("logging.pattern.console", "IPCWORKERS_APPLICATION_CONSOLE_PATTERN",
                    Slf4jProcessOutput.WORKER_CONSOLE_PATTERN),
            new Setting("logging.structured.format.console", "IPCWORKERS_APPLICATION_CONSOLE_FORMAT", ""),
            new Setting("logging.threshold.console", "IPCWORKERS_APPLICATION_CONSOLE_THRESHOLD", "TRACE"),
            new Setting("logging.charset.console", "IPCWORKERS_APPLICATION_CONSOLE_CHARSET", "UTF-8"));

    private final UnaryOperator<@Nullable String> told;

    /** @param told what the application told, by variable name ({@code System::getenv} in a worker) */
    InheritedLogging(UnaryOperator<@Nullable String> told) {
        this.told = told;
    }

    /**
     * The variables in which the application tells its Spring workers its own logging settings, for their
     * environment.
     */
    public static Map<String, String> variables(PropertyResolver application) {
        Map<String, String> variables = new LinkedHashMap<>();
        LogFile logFile = LogFile.get(application);
        if (logFile != null) {
            variables.put(LOG_FILE, logFile.toString());
        }
        for (Setting setting : CONSOLE) {
            String value = application.getProperty(setting.property());
            if (value != null) {
                variables.put(setting.variable(), value);
            }
        }
        return variables;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        Map<String, Object> instead = new HashMap<>();
        LogFile own = LogFile.get(environment);
        String applicationLogFile = this.told.apply(LOG_FILE);
        if (own != null && applicationLogFile != null && sameFile(own.toString(), applicationLogFile)) {
            instead.put(LogFile.FILE_NAME_PROPERTY, "");
            instead.put(LogFile.FILE_PATH_PROPERTY, "");
        }
        for (Setting setting : CONSOLE) {
            String value = environment.getProperty(setting.property());
            if (value != null && value.equals(this.told.apply(setting.variable()))) {
                instead.put(setting.property(), setting.instead());
            }
        }
        if (!instead.isEmpty()) {
            environment.getPropertySources()
                .addFirst(new MapPropertySource("ipcWorkerInsteadOfApplicationLogging", instead));
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

    private record Setting(String property, String variable, String instead) {
    }
}
