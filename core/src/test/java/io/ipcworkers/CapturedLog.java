package io.ipcworkers;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The messages one logger writes while this is open (the library logs through {@link System.Logger},
 * which is {@code java.util.logging} in these tests).
 */
public final class CapturedLog implements AutoCloseable {

    private final Logger logger;

    private final List<String> messages = new CopyOnWriteArrayList<>();

    private final List<String> tracedMessages = new CopyOnWriteArrayList<>();

    private final Handler handler = new Handler() {

        @Override
        public void publish(LogRecord logRecord) {
            CapturedLog.this.messages.add(logRecord.getMessage());
            if (logRecord.getThrown() != null) {
                CapturedLog.this.tracedMessages.add(logRecord.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** The logger's level before {@link #includingDebug}, put back on close. */
    private final Level levelBefore;

    public CapturedLog(Class<?> loggerOf) {
        this.logger = Logger.getLogger(loggerOf.getName());
        this.levelBefore = this.logger.getLevel();
        this.logger.addHandler(this.handler);
    }

    /** As the constructor, with what the logger writes at {@code DEBUG} ({@code FINE}) too. */
    public static CapturedLog includingDebug(Class<?> loggerOf) {
        CapturedLog log = new CapturedLog(loggerOf);
        log.logger.setLevel(Level.FINE);
        return log;
    }

    /** What was logged so far, in order. */
    public List<String> messages() {
        return List.copyOf(this.messages);
    }

    /** What was logged so far with an exception (its stack trace), in order. */
    public List<String> tracedMessages() {
        return List.copyOf(this.tracedMessages);
    }

    @Override
    public void close() {
        this.logger.removeHandler(this.handler);
        this.logger.setLevel(this.levelBefore);
    }
}
