package io.ipcworkers.pool;

import io.ipcworkers.CapturedLog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureStreakTest {

    private final FailureStreak streak = new FailureStreak(System.getLogger(FailureStreakTest.class.getName()),
            "Supervising pool 'p'", "look", "it goes on at the next heartbeat interval");

    @Test
    void aLastingFailureIsLoggedAtItsFirstSecondFourthAndEighthRunAndItsEndOnce() {
        try (CapturedLog log = new CapturedLog(FailureStreakTest.class)) {
            for (int i = 1; i <= 9; i++) {
                this.streak.failed(new IllegalStateException("broken " + i));
            }
            this.streak.succeeded();
            this.streak.succeeded();

            assertThat(log.messages()).containsExactly(
                    "Supervising pool 'p' failed; it goes on at the next heartbeat interval",
                    "Supervising pool 'p' has failed 2 looks in a row, the last with java.lang.IllegalStateException: "
                            + "broken 2 (the first's stack trace was logged; should it go on failing, the next line comes at 4)",
                    "Supervising pool 'p' has failed 4 looks in a row, the last with java.lang.IllegalStateException: "
                            + "broken 4 (the first's stack trace was logged; should it go on failing, the next line comes at 8)",
                    "Supervising pool 'p' has failed 8 looks in a row, the last with java.lang.IllegalStateException: "
                            + "broken 8 (the first's stack trace was logged; should it go on failing, the next line comes at 16)",
                    "Supervising pool 'p' works again after failing 9 looks in a row");
            assertThat(log.tracedMessages()).containsExactly(
                    "Supervising pool 'p' failed; it goes on at the next heartbeat interval");
        }
    }

    @Test
    void aFailureAfterASuccessStartsANewStreakWithItsStackTrace() {
        try (CapturedLog log = new CapturedLog(FailureStreakTest.class)) {
            this.streak.succeeded();
            this.streak.failed(new IllegalStateException("once"));
            this.streak.succeeded();
            this.streak.failed(new IllegalStateException("again"));

            assertThat(log.messages()).containsExactly(
                    "Supervising pool 'p' failed; it goes on at the next heartbeat interval",
                    "Supervising pool 'p' works again after failing 1 look",
                    "Supervising pool 'p' failed; it goes on at the next heartbeat interval");
            assertThat(log.tracedMessages()).hasSize(2);
        }
    }
}
