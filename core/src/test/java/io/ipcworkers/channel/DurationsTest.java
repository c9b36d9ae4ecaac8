package io.ipcworkers.channel;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DurationsTest {

    @Test
    void aDurationIsTakenInNanoseconds() {
        assertThat(Durations.cappedNanos(Duration.ofSeconds(30))).isEqualTo(30_000_000_000L);
    }

    @Test
    void aDurationTooLongForNanosecondsIsCappedSoThatDeadlinesStillCompare() {
        long capped = Durations.cappedNanos(ChronoUnit.CENTURIES.getDuration().multipliedBy(5));
        assertThat(capped).isEqualTo(Durations.MAX_NANOS);
        assertThat(Durations.cappedNanos(ChronoUnit.CENTURIES.getDuration())).isEqualTo(capped);
        long now = Long.MAX_VALUE - 10; // System.nanoTime() may be anywhere, even about to wrap
        long deadline = now + capped;
        assertThat(deadline - now).isPositive();
    }
}
