package io.ipcworkers.autoconfigure.metrics;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcTimeoutException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Meters by pool, topic and outcome, each built once and then reused. */
class PoolMetricsTests {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final PoolMetrics metrics = new PoolMetrics(this.registry);

    @Test
    void messagesAreCountedByPoolAndTopic() {
        for (int i = 0; i < 3; i++) {
            this.metrics.messageSent("a", "work");
        }
        this.metrics.messageSent("b", "work");
        this.metrics.messageReceived("a", "progress");
        this.metrics.messageReceived("a", "progress");

        assertThat(this.registry.get("ipc.messages.sent").tag("pool", "a").tag("topic", "work").counter().count())
            .isEqualTo(3);
        assertThat(this.registry.get("ipc.messages.sent").tag("pool", "b").tag("topic", "work").counter().count())
            .isEqualTo(1);
        assertThat(this.registry.get("ipc.messages.received").tag("pool", "a").tag("topic", "progress").counter()
            .count()).isEqualTo(2);
    }

    @Test
    void deadLettersAreCountedByPoolAndTopic() {
        this.metrics.deadLetter("a", "work");
        this.metrics.deadLetter("a", "work");
        this.metrics.deadLetter("a", "other");

        assertThat(this.registry.get("ipc.dead.letters").tag("pool", "a").tag("topic", "work").counter().count())
            .isEqualTo(2);
        assertThat(this.registry.get("ipc.dead.letters").tag("pool", "a").tag("topic", "other").counter().count())
            .isEqualTo(1);
    }

    @Test
    void parentListenerFailuresAreCountedByPoolTopicAndException() {
        this.metrics.parentListenerFailed("a", "progress", IllegalStateException.class);
        this.metrics.parentListenerFailed("a", "progress", IllegalStateException.class);
        this.metrics.parentListenerFailed("a", "progress", AssertionError.class);

        assertThat(this.registry.get("ipc.listener.failures").tag("pool", "a").tag("topic", "progress")
            .tag("exception", "IllegalStateException").counter().count()).isEqualTo(2);
        assertThat(this.registry.get("ipc.listener.failures").tag("exception", "AssertionError").counter().count())
            .isEqualTo(1);
    }

    @Test
    void answersLostToAnExitedWorkerAreCountedByPoolAndTopic() {
        this.metrics.answerLost("a", "progress");
        this.metrics.answerLost("a", "progress");
        this.metrics.answerLost("b", "progress");

        assertThat(this.registry.get("ipc.answers.lost").tags("pool", "a", "topic", "progress").counter().count())
            .isEqualTo(2);
        assertThat(this.registry.get("ipc.answers.lost").tags("pool", "b", "topic", "progress").counter().count())
            .isEqualTo(1);
    }

    @Test
    void messagesMovedToIdleWorkersAreCountedByPool() {
        this.metrics.messagesMoved("a", 3);
        this.metrics.messagesMoved("a", 2);

        assertThat(this.registry.get("ipc.messages.moved").tag("pool", "a").counter().count()).isEqualTo(5);
    }

    @Test
    void requestsAreTimedByOutcome() {
        this.metrics.requestCompleted("a", "work", TimeUnit.MILLISECONDS.toNanos(3), null);
        this.metrics.requestCompleted("a", "work", TimeUnit.MILLISECONDS.toNanos(5), null);
        this.metrics.requestCompleted("a", "work", 1, new IpcException("listener failed"));
        this.metrics.requestCompleted("a", "work", 1, new IpcTimeoutException("no reply"));
        this.metrics.requestCompleted("a", "other", 1, new IpcTimeoutException("no reply"));
        this.metrics.requestCompleted("a", "work", 1, new CancellationException());

        assertThat(this.registry.get("ipc.requests").tag("topic", "work").tag("outcome", "success").timer()
            .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8);
        assertThat(this.registry.get("ipc.requests").tag("topic", "work").tag("outcome", "success").timer().count())
            .isEqualTo(2);
        assertThat(this.registry.get("ipc.requests").tag("topic", "work").tag("outcome", "error").timer().count())
            .isEqualTo(1);
        assertThat(this.registry.get("ipc.requests").tag("topic", "work").tag("outcome", "timeout").timer().count())
            .isEqualTo(1);
        assertThat(this.registry.get("ipc.requests").tag("topic", "other").tag("outcome", "timeout").timer().count())
            .isEqualTo(1);
        assertThat(this.registry.get("ipc.requests").tag("topic", "work").tag("outcome", "cancelled").timer().count())
            .isEqualTo(1);
    }

    @Test
    void eachMeterIsRegisteredOnceHoweverManyMessages() {
        for (int i = 0; i < 1000; i++) {
            this.metrics.messageSent("a", "work");
            this.metrics.requestCompleted("a", "work", Duration.ofMillis(1).toNanos(), null);
        }
        assertThat(this.registry.find("ipc.messages.sent").counters()).hasSize(1);
        assertThat(this.registry.find("ipc.requests").timers()).hasSize(1);
        assertThat(this.registry.get("ipc.messages.sent").counter().count()).isEqualTo(1000);
    }
}
