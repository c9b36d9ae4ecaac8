package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.ipcworkers.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A running pool's warnings: the first of a period logged, the rest in one line at its end (its unclaimed
 * dead letters), and those that must be seen at once as they come (a new kind of listener failure).
 */
class ThrottledWarningsTest {

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    private final CapturedLog log = new CapturedLog(WorkerPool.class);

    private ThrottledWarnings<String> deadLetters(Duration period, LongSupplier clock) {
        return new ThrottledWarnings<>(UnclaimedDeadLetters.throttledLines("p"), period, this.timer, clock);
    }

    @AfterEach
    void close() {
        this.log.close();
        this.timer.shutdownNow();
    }

    @Test
    void theFirstLetterOfAPeriodIsLoggedAndTheOthersInOneLineWhenItEnds() {
        ThrottledWarnings<String> warnings = deadLetters(Duration.ofMillis(300), System::nanoTime);
        warnings.start();
        warnings.warn("a", "why 1");
        warnings.warn("a", "why 2");
        warnings.warn("b", "why 3");
        warnings.warn("a", "why 4");
        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'a': why 1");
        assertThat(warnings.heldBack()).isEqualTo(3);

        await().atMost(Duration.ofSeconds(10)).until(() -> this.log.messages().size() == 2);
        assertThat(this.log.messages().get(1)).isEqualTo(
                "3 more dead letters from pool 'p' within 300 ms of the one logged before (topics 'a' x2, 'b' x1); "
                        + "the first, topic 'a': why 2");
        assertThat(warnings.heldBack()).isZero();

        warnings.warn("c", "why 5"); // the first of a new period
        assertThat(this.log.messages()).hasSize(3).last().isEqualTo("Dead letter from pool 'p', topic 'c': why 5");
    }

    @Test
    void aLetterAfterThePeriodEndsItEvenBeforeItsTimerRuns() {
        AtomicLong clock = new AtomicLong();
        ThrottledWarnings<String> warnings = deadLetters(Duration.ofSeconds(10), clock::get);
        warnings.start();
        warnings.warn("a", "why 1");
        clock.set(Duration.ofSeconds(1).toNanos());
        warnings.warn("b", "why 2");
        clock.set(Duration.ofSeconds(11).toNanos());
        warnings.warn("c", "why 3");

        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'a': why 1",
                "1 more dead letter from pool 'p' within 10 s of the one logged before (topics 'b' x1); the first, "
                        + "topic 'b': why 2",
                "Dead letter from pool 'p', topic 'c': why 3");
    }

    @Test
    void stoppingLogsWhatIsHeldBackAndEveryLetterAfterAsItComesAsBeforeTheStart() {
        ThrottledWarnings<String> warnings = deadLetters(Duration.ofMinutes(1), System::nanoTime);
        warnings.warn("a", "before 1");
        warnings.warn("a", "before 2");
        warnings.start();
        warnings.warn("a", "why 1");
        warnings.warn("a", "why 2");
        warnings.warn("a", "why 3");
        warnings.stop();
        warnings.warn("a", "after 1");
        warnings.warn("a", "after 2");

        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'a': before 1",
                "Dead letter from pool 'p', topic 'a': before 2", "Dead letter from pool 'p', topic 'a': why 1",
                "2 more dead letters from pool 'p' within 60 s of the one logged before (topics 'a' x2); the first, "
                        + "topic 'a': why 2",
                "Dead letter from pool 'p', topic 'a': after 1", "Dead letter from pool 'p', topic 'a': after 2");
    }

    @Test
    void withItsTimerShutNothingIsHeldBack() {
        ThrottledWarnings<String> warnings = deadLetters(Duration.ofMinutes(1), System::nanoTime);
        warnings.start();
        this.timer.shutdownNow(); // the process manager closing
        warnings.warn("a", "why 1");
        warnings.warn("a", "why 2");
        warnings.warn("a", "why 3");

        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'a': why 1",
                "Dead letter from pool 'p', topic 'a': why 2", "Dead letter from pool 'p', topic 'a': why 3");
        assertThat(warnings.heldBack()).isZero();
    }

    @Test
    void aWarningThatMustBeSeenAtOnceIsLoggedAsItComesWithinAPeriodWithoutEndingIt() {
        AtomicLong clock = new AtomicLong();
        ThrottledWarnings<String> warnings = deadLetters(Duration.ofSeconds(10), clock::get);
        warnings.start();
        warnings.warn("a", "why 1");
        warnings.warn("a", "why 2");
        clock.set(Duration.ofSeconds(5).toNanos());
        warnings.warn("b", "new kind", true);
        warnings.warn("a", "why 3");
        assertThat(warnings.heldBack()).isEqualTo(2);
        clock.set(Duration.ofSeconds(11).toNanos()); // the period still runs from the first
        warnings.warn("a", "why 4");

        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'a': why 1",
                "Dead letter from pool 'p', topic 'b': new kind",
                "2 more dead letters from pool 'p' within 10 s of the one logged before (topics 'a' x2); the first, "
                        + "topic 'a': why 2",
                "Dead letter from pool 'p', topic 'a': why 4");
    }

    @Test
    void aWarningThatMustBeSeenAtOnceStartsAPeriodWhenNoneRuns() {
        ThrottledWarnings<String> warnings = deadLetters(Duration.ofMinutes(1), System::nanoTime);
        warnings.start();
        warnings.warn("b", "new kind", true);
        warnings.warn("a", "why 1");

        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'b': new kind");
        assertThat(warnings.heldBack()).isOne();
    }

    @Test
    void aParentListenersFailuresReadAsALineEachAndOneForThoseThatFollowed() {
        AtomicLong clock = new AtomicLong();
        ThrottledWarnings<InboundDispatcher.Failure> warnings = new ThrottledWarnings<>(
                InboundDispatcher.throttledLines("p"), Duration.ofSeconds(10), this.timer, clock::get);
        IllegalStateException bug = new IllegalStateException("bug");
        String dropped = "the message is dropped";
        try (CapturedLog failures = new CapturedLog(InboundDispatcher.class)) {
            warnings.start();
            warnings.warn("a", new InboundDispatcher.Failure("from Worker p-1 (pid 7)", dropped, bug, true), true);
            warnings.warn("a", new InboundDispatcher.Failure("from Worker p-1 (pid 7)", dropped, bug, false));
            warnings.warn("b", new InboundDispatcher.Failure("from Worker p-2 (pid 8)", dropped, bug, false));
            clock.set(Duration.ofSeconds(10).toNanos());
            warnings.warn("ipc.dead-letter", new InboundDispatcher.Failure("on a dead letter of topic 'a'",
                    "the letter is logged as unclaimed", bug, false));

            assertThat(failures.messages()).containsExactly(
                    "@IpcListener for topic 'a' from Worker p-1 (pid 7) failed; the message is dropped",
                    "2 more failures of parent @IpcListener methods on messages from pool 'p' within 10 s of the one "
                            + "logged before (topics 'a' x1, 'b' x1); the first, topic 'a' from Worker p-1 (pid 7): "
                            + "java.lang.IllegalStateException: bug; the message is dropped",
                    "@IpcListener for topic 'ipc.dead-letter' on a dead letter of topic 'a' failed; the letter is "
                            + "logged as unclaimed: java.lang.IllegalStateException: bug (its stack trace was logged for "
                            + "the first such failure)");
        }
    }
}
