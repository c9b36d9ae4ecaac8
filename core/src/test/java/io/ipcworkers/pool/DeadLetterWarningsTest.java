package io.ipcworkers.pool;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A running pool's unclaimed dead letters: the first of a period logged, the rest in one line at its end. */
class DeadLetterWarningsTest {

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    private final CapturedLog log = new CapturedLog(WorkerPool.class);

    @AfterEach
    void close() {
        this.log.close();
        this.timer.shutdownNow();
    }

    @Test
    void theFirstLetterOfAPeriodIsLoggedAndTheOthersInOneLineWhenItEnds() {
        DeadLetterWarnings warnings = new DeadLetterWarnings("p", Duration.ofMillis(300), this.timer, System::nanoTime);
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
        DeadLetterWarnings warnings = new DeadLetterWarnings("p", Duration.ofSeconds(10), this.timer, clock::get);
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
        DeadLetterWarnings warnings = new DeadLetterWarnings("p", Duration.ofMinutes(1), this.timer, System::nanoTime);
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
        DeadLetterWarnings warnings = new DeadLetterWarnings("p", Duration.ofMinutes(1), this.timer, System::nanoTime);
        warnings.start();
        this.timer.shutdownNow(); // the process manager closing
        warnings.warn("a", "why 1");
        warnings.warn("a", "why 2");
        warnings.warn("a", "why 3");

        assertThat(this.log.messages()).containsExactly("Dead letter from pool 'p', topic 'a': why 1",
                "Dead letter from pool 'p', topic 'a': why 2", "Dead letter from pool 'p', topic 'a': why 3");
        assertThat(warnings.heldBack()).isZero();
    }
}
