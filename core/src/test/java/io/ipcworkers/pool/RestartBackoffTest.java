package io.ipcworkers.pool;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RestartBackoffTest {

    private final RestartBackoff backoff = new RestartBackoff(new PoolSettings.Supervision(Duration.ofSeconds(1),
            Duration.ofSeconds(5), 10, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ZERO), 2);

    @Test
    void doublesForEveryFailureInARowUpToTheMaximumSlotBySlot() {
        assertThat(this.backoff.afterFailure(0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
        assertThat(this.backoff.afterFailure(0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
        assertThat(this.backoff.afterFailure(0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(4));
        assertThat(this.backoff.afterFailure(1, Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
        assertThat(this.backoff.afterFailure(0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
        for (int i = 0; i < 100; i++) { // no overflow however long it goes on
            assertThat(this.backoff.afterFailure(0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
        }
    }

    @Test
    void startsAgainAfterAResetOrAFailureThatRanLongerThanTheMaximum() {
        this.backoff.afterFailure(0, Duration.ZERO);
        this.backoff.afterFailure(1, Duration.ZERO);
        this.backoff.afterFailure(1, Duration.ZERO);
        assertThat(this.backoff.afterFailure(0, Duration.ofSeconds(6))).isEqualTo(Duration.ofSeconds(1));
        assertThat(this.backoff.afterFailure(0, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(2));

        this.backoff.reset(0);
        assertThat(this.backoff.afterFailure(0, Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
        assertThat(this.backoff.afterFailure(1, Duration.ZERO)).isEqualTo(Duration.ofSeconds(4));
        this.backoff.resetAll();
        assertThat(this.backoff.afterFailure(1, Duration.ZERO)).isEqualTo(Duration.ofSeconds(1));
    }
}
