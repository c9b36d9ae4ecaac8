package io.ipcworkers.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WaitEstimatesTest {

    private static final long MS = 1_000_000;

    /** The pool's latest clock reading in most of these tests. */
    private static final long NOW = 3_600_000 * MS;

    /** A pool that has timed a message: typical time 1 ms, latest reading {@link #NOW}. */
    private final WaitEstimates waits = timed();

    private static WaitEstimates timed() {
        WaitEstimates waits = new WaitEstimates(NOW - 10 * MS);
        waits.acknowledged(NOW - MS, NOW, 1);
        assertThat(waits.typicalNanos()).isEqualTo(MS);
        return waits;
    }

    @Test
    void anIdleWorkerHasNoWait() {
        assertThat(this.waits.estimate(0, 0, NOW)).isZero();
    }

    @Test
    void theTypicalTimeIsUnknownUntilTheFirstSampleSetsItThenMovesAnEighthOfTheWayToEachSample() {
        WaitEstimates fresh = new WaitEstimates(NOW);
        assertThat(fresh.typicalNanos()).isEqualTo(WaitEstimates.UNKNOWN_TYPICAL_NANOS);
        fresh.acknowledged(NOW, NOW + 100 * MS, 1);
        assertThat(fresh.typicalNanos()).isEqualTo(100 * MS);
        // an acknowledgement of several messages is a sample of the time per message
        fresh.acknowledged(NOW + 100 * MS, NOW + 900 * MS, 4);
        assertThat(fresh.typicalNanos()).isEqualTo(112_500_000);
        for (int i = 1; i <= 300; i++) {
            long at = NOW + (900 + i) * MS;
            fresh.acknowledged(at, at, 1);
        }
        assertThat(fresh.typicalNanos()).isEqualTo(WaitEstimates.MIN_TYPICAL_NANOS);
    }

    @Test
    void untilThePoolHasTimedAMessageNoHeadRunsLongAndTheQueuesLengthDecides() {
        WaitEstimates fresh = new WaitEstimates(NOW);
        assertThat(fresh.runsLong(NOW - 3_600_000 * MS)).isFalse();
        // a burst of 100 ms jobs: judged against a guess of 1 ms, the first worker's, 30 ms in, ran long
        assertThat(fresh.estimate(1, NOW - 30 * MS, NOW)).isLessThan(fresh.estimate(2, NOW, NOW));
    }

    @Test
    void atMostOneAcknowledgementAMillisecondIsTakenSoThatSendersKeepTheFieldsInTheirCaches() {
        this.waits.acknowledged(NOW, NOW + MS / 2, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.acknowledged(NOW, NOW + MS, 1);
        this.waits.acknowledged(NOW, NOW + MS + MS / 2, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.acknowledged(NOW + MS, NOW + 3 * MS, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS + MS / 8);
    }

    @Test
    void nonsenseSamplesAreIgnored() {
        WaitEstimates fresh = new WaitEstimates(NOW);
        fresh.acknowledged(NOW + 10 * MS, NOW + 5 * MS, 1);
        fresh.acknowledged(NOW, NOW + 15 * MS, 0);
        assertThat(fresh.typicalNanos()).isEqualTo(WaitEstimates.UNKNOWN_TYPICAL_NANOS);
        fresh.acknowledged(NOW, NOW + 40 * MS, 2);
        assertThat(fresh.typicalNanos()).isEqualTo(20 * MS);
    }

    @Test
    void whileHeadsRunNoLongerThanTheAcknowledgementsTakeTheQueuesLengthDecides() {
        assertThat(this.waits.estimate(1, NOW - MS / 2, NOW)).isEqualTo(MS);
        assertThat(this.waits.estimate(3, NOW, NOW)).isEqualTo(3 * MS);
        // heads in a stream are acknowledged together, every millisecond or so: their ages are noise
        assertThat(this.waits.estimate(2, NOW - 15 * MS, NOW)).isEqualTo(2 * MS).isLessThan(this.waits.estimate(3, NOW, NOW));
        assertThat(this.waits.estimate(2, NOW - MS - WaitEstimates.LONG_RUNNING_SLACK_NANOS, NOW)).isEqualTo(2 * MS);
        assertThat(this.waits.runsLong(NOW - MS - WaitEstimates.LONG_RUNNING_SLACK_NANOS)).isFalse();
        // a head started after the clock was read, by a sender racing it
        assertThat(this.waits.estimate(2, NOW + MS, NOW)).isEqualTo(2 * MS);
        assertThat(this.waits.runsLong(NOW + MS)).isFalse();
    }

    @Test
    void aHeadThatHasRunLongOutweighsAShortQueueElsewhere() {
        double longListener = this.waits.estimate(1, NOW - 2_000 * MS, NOW);
        double fewShortOnes = this.waits.estimate(3, NOW - MS / 10, NOW);
        assertThat(longListener).isEqualTo(2_000 * MS);
        assertThat(fewShortOnes).isLessThan(longListener);
        assertThat(this.waits.runsLong(NOW - 22 * MS)).isTrue();
        // of two workers with as many messages, the one whose head started later
        assertThat(this.waits.estimate(2, NOW - 30 * MS, NOW)).isLessThan(this.waits.estimate(2, NOW - 50 * MS, NOW));
    }

    @Test
    void eachMessageQueuedBehindAHeadThatHasRunLongCountsAsLongAsItHasRun() {
        assertThat(this.waits.estimate(2, NOW - 22 * MS, NOW)).isEqualTo(44 * MS);
        // long jobs sent 40 ms apart to a pool that timed only short ones: the first worker, 120 ms into
        // its one job, ends sooner than the second, 80 ms into the first of its two (at the typical time,
        // 1 ms, the second's queue looked 81 ms long and it got every job but the first)
        assertThat(this.waits.estimate(1, NOW - 120 * MS, NOW)).isLessThan(this.waits.estimate(2, NOW - 80 * MS, NOW));
        // a short queue behind a head that does not run long still counts at the typical time
        assertThat(this.waits.estimate(3, NOW - 2 * MS, NOW)).isLessThan(this.waits.estimate(1, NOW - 120 * MS, NOW));
    }

    @Test
    void whetherAHeadRunsLongIsJudgedToThePoolsLatestReadingTakenAsAWorkerIsGivenAMessageOrAcknowledges() {
        long headStarted = NOW - 10 * MS;
        assertThat(this.waits.runsLong(headStarted)).isFalse();
        this.waits.acknowledged(NOW + 489 * MS, NOW + 490 * MS, 1);
        assertThat(this.waits.runsLong(headStarted)).isTrue();
        assertThat(this.waits.runsLong(NOW + 460 * MS)).isTrue();
        assertThat(this.waits.runsLong(NOW + 470 * MS)).isFalse();
        this.waits.started(NOW + 1_490 * MS);
        assertThat(this.waits.runsLong(NOW + 1_460 * MS)).isTrue();
        // not more often than once a millisecond
        this.waits.started(NOW + 1_490 * MS + MS / 2);
        assertThat(this.waits.runsLong(NOW + 1_469 * MS + MS / 4)).isFalse();
    }
}
