package io.ipcworkers.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WaitEstimatesTest {

    private static final long MS = 1_000_000;

    private final WaitEstimates waits = new WaitEstimates();

    @Test
    void anIdleWorkerHasNoWait() {
        assertThat(this.waits.estimate(0, 3_600_000 * MS)).isZero();
    }

    @Test
    void theTypicalTimeStartsAtOneMillisecondAndMovesAnEighthOfTheWayToEachSample() {
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
        this.waits.observed(9 * MS, 1);
        assertThat(this.waits.typicalNanos()).isEqualTo(2 * MS);
        // an acknowledgement of several messages is a sample of the time per message
        this.waits.observed(40 * MS, 4);
        assertThat(this.waits.typicalNanos()).isEqualTo(3 * MS);
        for (int i = 0; i < 200; i++) {
            this.waits.observed(0, 1);
        }
        assertThat(this.waits.typicalNanos()).isEqualTo(WaitEstimates.MIN_TYPICAL_NANOS);
    }

    @Test
    void nonsenseSamplesAreIgnored() {
        this.waits.observed(-5 * MS, 1);
        this.waits.observed(5 * MS, 0);
        assertThat(this.waits.typicalNanos()).isEqualTo(MS);
    }

    @Test
    void whileHeadsRunNoLongerThanTheAcknowledgementsTakeTheQueuesLengthDecides() {
        assertThat(this.waits.estimate(1, MS / 2)).isEqualTo(MS);
        assertThat(this.waits.estimate(3, 0)).isEqualTo(3 * MS);
        // heads in a stream are acknowledged together, every millisecond or so: their ages are noise
        assertThat(this.waits.estimate(2, 15 * MS)).isEqualTo(2 * MS).isLessThan(this.waits.estimate(3, 0));
        assertThat(this.waits.estimate(2, MS + WaitEstimates.LONG_RUNNING_SLACK_NANOS)).isEqualTo(2 * MS);
    }

    @Test
    void aHeadThatHasRunLongOutweighsAShortQueueElsewhere() {
        double longListener = this.waits.estimate(1, 2_000 * MS);
        double fewShortOnes = this.waits.estimate(3, MS / 10);
        assertThat(longListener).isEqualTo(2_000 * MS);
        assertThat(fewShortOnes).isLessThan(longListener);
        assertThat(this.waits.estimate(2, 22 * MS)).isEqualTo(23 * MS);
        // of two workers with as many messages, the one whose head started later
        assertThat(this.waits.estimate(2, 30 * MS)).isLessThan(this.waits.estimate(2, 50 * MS));
    }
}
