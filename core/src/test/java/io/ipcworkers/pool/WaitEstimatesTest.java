package io.ipcworkers.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WaitEstimatesTest {

    private static final long MS = 1_000_000;

    /** The pool's latest clock reading in most of these tests. */
    private static final long NOW = 3_600_000 * MS;

    private final WaitEstimates waits = new WaitEstimates(NOW);

    @Test
    void anIdleWorkerHasNoWait() {
        assertThat(this.waits.estimate(0, 0)).isZero();
    }

    @Test
    void theTypicalTimeIsOneMillisecondUntilTheFirstSampleReplacesItThenMovesAnEighthOfTheWayToEachSample() {
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.acknowledged(NOW, NOW + 100 * MS, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(100 * MS);
        // an acknowledgement of several messages is a sample of the time per message
        this.waits.acknowledged(NOW + 100 * MS, NOW + 900 * MS, 4);
        assertThat(this.waits.typicalNanos()).isEqualTo(112_500_000);
        for (int i = 1; i <= 300; i++) {
            long at = NOW + (900 + i) * MS;
            this.waits.acknowledged(at, at, 1);
        }
        assertThat(this.waits.typicalNanos()).isEqualTo(WaitEstimates.MIN_TYPICAL_NANOS);
    }

    @Test
    void atMostOneAcknowledgementAMillisecondIsTakenSoThatSendersKeepTheFieldsInTheirCaches() {
        this.waits.acknowledged(NOW, NOW + MS / 2, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.acknowledged(NOW, NOW + MS, 1);
        this.waits.acknowledged(NOW, NOW + MS + MS / 2, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.acknowledged(NOW, NOW + 2 * MS, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS + MS / 8);
    }

    @Test
    void nonsenseSamplesAreIgnored() {
        this.waits.acknowledged(NOW + 10 * MS, NOW + 5 * MS, 1);
        this.waits.acknowledged(NOW, NOW + 15 * MS, 0);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.acknowledged(NOW, NOW + 40 * MS, 2);
        assertThat(this.waits.typicalNanos()).isEqualTo(20 * MS);
    }

    @Test
    void whileHeadsRunNoLongerThanTheAcknowledgementsTakeTheQueuesLengthDecides() {
        assertThat(this.waits.estimate(1, NOW - MS / 2)).isEqualTo(MS);
        assertThat(this.waits.estimate(3, NOW)).isEqualTo(3 * MS);
        // heads in a stream are acknowledged together, every millisecond or so: their ages are noise
        assertThat(this.waits.estimate(2, NOW - 15 * MS)).isEqualTo(2 * MS).isLessThan(this.waits.estimate(3, NOW));
        assertThat(this.waits.estimate(2, NOW - MS - WaitEstimates.LONG_RUNNING_SLACK_NANOS)).isEqualTo(2 * MS);
        assertThat(this.waits.runsLong(NOW - MS - WaitEstimates.LONG_RUNNING_SLACK_NANOS)).isFalse();
        // a head started after the latest reading, by a sender racing it
        assertThat(this.waits.estimate(2, NOW + MS)).isEqualTo(2 * MS);
        assertThat(this.waits.runsLong(NOW + MS)).isFalse();
    }

    @Test
    void aHeadThatHasRunLongOutweighsAShortQueueElsewhere() {
        double longListener = this.waits.estimate(1, NOW - 2_000 * MS);
        double fewShortOnes = this.waits.estimate(3, NOW - MS / 10);
        assertThat(longListener).isEqualTo(2_000 * MS);
        assertThat(fewShortOnes).isLessThan(longListener);
        assertThat(this.waits.runsLong(NOW - 22 * MS)).isTrue();
        assertThat(this.waits.estimate(2, NOW - 22 * MS)).isEqualTo(23 * MS);
        // of two workers with as many messages, the one whose head started later
        assertThat(this.waits.estimate(2, NOW - 30 * MS)).isLessThan(this.waits.estimate(2, NOW - 50 * MS));
    }

    @Test
    void aHeadsAgeIsMeasuredToThePoolsLatestReadingTakenAsAWorkerIsGivenAMessageOrAcknowledges() {
        long headStarted = NOW - 10 * MS;
        assertThat(this.waits.estimate(1, headStarted)).isEqualTo(MS);
        this.waits.acknowledged(NOW + 489 * MS, NOW + 490 * MS, 1);
        assertThat(this.waits.estimate(1, headStarted)).isEqualTo(500 * MS);
        this.waits.started(NOW + 1_490 * MS);
        assertThat(this.waits.estimate(1, headStarted)).isEqualTo(1_500 * MS);
        // not more often than once a millisecond
        this.waits.started(NOW + 1_490 * MS + MS / 2);
        assertThat(this.waits.estimate(1, headStarted)).isEqualTo(1_500 * MS);
    }
}
