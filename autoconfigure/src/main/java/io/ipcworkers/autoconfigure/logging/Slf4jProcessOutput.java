package io.ipcworkers.autoconfigure.logging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ipcworkers.ProcessOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Routes worker output through the parent's logging instead of printing raw, interleaved text: one
 * logger per pool ({@code ipcworkers.worker.<pool>}), and the pool, worker name and pid in the MDC
 * ({@code ipc.pool}, {@code ipc.worker}, {@code ipc.pid}). A line that starts with a log level, as a
 * Spring worker's log lines do, keeps that level; other stdout lines log at INFO, stderr at WARN (but the
 * JVM's notice of the options it took from its environment, at INFO).
 */
public class Slf4jProcessOutput implements ProcessOutput {

    /** Logger names start with this, followed by the pool name. */
    public static final String LOGGER_PREFIX = "ipcworkers.worker.";

    /** What a Spring worker's console pattern produces: level, logger, message. */
    public static final String WORKER_CONSOLE_PATTERN = "%-5level %logger{36} - %msg%n";

    private static final Pattern LEVELLED = Pattern.compile("^\\s*(TRACE|DEBUG|INFO|WARN|ERROR)\\s+(.*)$");

    /**
     * The JVM's word, on stderr as it starts, that it took options from its environment: workers inherit
     * the application's {@code JAVA_TOOL_OPTIONS}, and a WARN line at every worker's start says nothing wrong.
     */
    private static final Pattern OPTIONS_PICKED_UP = Pattern.compile("^(NOTE: )?Picked up \\w+: ");

    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public void line(String name, long pid, Stream stream, String line) {
        String pool = poolOf(name);
        Logger logger = this.loggers.computeIfAbsent(pool, (key) -> LoggerFactory.getLogger(LOGGER_PREFIX + key));
        Level level = (stream == Stream.STDERR && !OPTIONS_PICKED_UP.matcher(line).find()) ? Level.WARN : Level.INFO;
        String message = line;
        Matcher levelled = LEVELLED.matcher(line);
        if (levelled.matches()) {
            level = Level.valueOf(levelled.group(1));
            message = levelled.group(2);
        }
        MDC.put("ipc.pool", pool);
        MDC.put("ipc.worker", name);
        MDC.put("ipc.pid", Long.toString(pid));
        try {
            logger.atLevel(level).log("[{} {}] {}", name, pid, message);
        }
        finally {
            MDC.remove("ipc.pool");
            MDC.remove("ipc.worker");
            MDC.remove("ipc.pid");
        }
    }

    /** {@code thumbnails-2} is worker 2 of pool {@code thumbnails}; a plain child is {@code child}. */
    static String poolOf(String workerName) {
        int dash = workerName.lastIndexOf('-');
        if (dash > 0 && workerName.substring(dash + 1).chars().allMatch(Character::isDigit)) {
            return workerName.substring(0, dash);
        }
        return workerName;
    }
}
