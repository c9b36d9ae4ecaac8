package io.ipcworkers.autoconfigure.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ipcworkers.ProcessOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Worker output lines become log events of the parent: per-pool logger, level, MDC. */
class Slf4jProcessOutputTests {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private Logger logger;

    @BeforeEach
    void attach() {
        this.logger = (Logger) LoggerFactory.getLogger("ipcworkers.worker.thumbs");
        this.logger.setLevel(Level.TRACE);
        this.appender.start();
        this.logger.addAppender(this.appender);
    }

    @AfterEach
    void detach() {
        this.logger.detachAppender(this.appender);
    }

    @Test
    void stdoutLogsAtInfoAndStderrAtWarnWithPoolWorkerAndPidInTheMdc() {
        Slf4jProcessOutput output = new Slf4jProcessOutput();
        output.line("thumbs-2", 4321, ProcessOutput.Stream.STDOUT, "resized cat.png");
        output.line("thumbs-2", 4321, ProcessOutput.Stream.STDERR, "disk almost full");

        assertThat(this.appender.list).hasSize(2);
        ILoggingEvent out = this.appender.list.get(0);
        assertThat(out.getLevel()).isEqualTo(Level.INFO);
        assertThat(out.getFormattedMessage()).isEqualTo("[thumbs-2 4321] resized cat.png");
        assertThat(out.getMDCPropertyMap()).containsEntry("ipc.pool", "thumbs").containsEntry("ipc.worker", "thumbs-2")
            .containsEntry("ipc.pid", "4321");
        assertThat(this.appender.list.get(1).getLevel()).isEqualTo(Level.WARN);
        assertThat(org.slf4j.MDC.get("ipc.pool")).isNull();
    }

    @Test
    void linesOfASpringWorkersLogKeepTheirLevel() {
        Slf4jProcessOutput output = new Slf4jProcessOutput();
        output.line("thumbs-1", 1, ProcessOutput.Stream.STDOUT, "ERROR c.e.ThumbService - cannot decode");
        output.line("thumbs-1", 1, ProcessOutput.Stream.STDOUT, "DEBUG c.e.ThumbService - cache miss");

        assertThat(this.appender.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.ERROR, Level.DEBUG);
        assertThat(this.appender.list.get(0).getFormattedMessage()).isEqualTo("[thumbs-1 1] c.e.ThumbService - cannot decode");
    }

    @Test
    void theJvmsNoticeOfOptionsFromItsEnvironmentLogsAtInfo() {
        Slf4jProcessOutput output = new Slf4jProcessOutput();
        output.line("thumbs-1", 1, ProcessOutput.Stream.STDERR, "Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75");
        output.line("thumbs-1", 1, ProcessOutput.Stream.STDERR, "NOTE: Picked up JDK_JAVA_OPTIONS: -Xss1m");
        output.line("thumbs-1", 1, ProcessOutput.Stream.STDERR, "Exception: Picked up JAVA_TOOL_OPTIONS: is not a notice");

        assertThat(this.appender.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.INFO, Level.WARN);
        assertThat(this.appender.list.get(0).getFormattedMessage())
            .isEqualTo("[thumbs-1 1] Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75");
    }

    @Test
    void poolNameIsTheWorkerNameWithoutItsNumber() {
        assertThat(Slf4jProcessOutput.poolOf("thumbs-2")).isEqualTo("thumbs");
        assertThat(Slf4jProcessOutput.poolOf("image-resize-12")).isEqualTo("image-resize");
        assertThat(Slf4jProcessOutput.poolOf("child")).isEqualTo("child");
    }
}
