package io.ipcworkers.worker;

import java.util.List;

import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a parent's cancel does to the request a worker's serving loop (here, the test's thread) has taken. */
class RunningRequestTest {

    private final RunningRequest running = new RunningRequest();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aRunningListenerIsInterruptedAndTheFlagIsClearedWhenItHasBeenAnswered() {
        this.running.taken(7);
        assertThat(this.running.listenerStarts()).isTrue();

        this.running.cancel(new long[] { 7 }, List.of());

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(this.running.isCancelled()).isTrue();
        this.running.ended();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(this.running.isCancelled()).isFalse();
    }

    @Test
    void aRequestCancelledAfterItWasTakenDoesNotStartAndNobodyIsInterrupted() {
        this.running.taken(7);

        this.running.cancel(new long[] { 7 }, List.of());

        assertThat(this.running.listenerStarts()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aCancelOfAnotherRequestOrOfOneAnsweredAlreadyInterruptsNothing() {
        this.running.taken(7);
        this.running.listenerStarts();
        this.running.ended();
        this.running.taken(8);
        this.running.listenerStarts();

        this.running.cancel(new long[] { 7, 9, 0 }, List.of());

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(this.running.isCancelled()).isFalse();
    }

    @Test
    void aRequestCancelledWhileReadAheadDoesNotStartWhenTakenUnlessItWasGivenBack() {
        Frame ahead = new Frame(FrameType.REQUEST, 0, 9, new byte[0]);
        Frame other = new Frame(FrameType.REQUEST, 0, 10, new byte[0]);
        this.running.cancel(new long[] { 9, 10 }, List.of(ahead, other));
        this.running.givenBack(new long[] { 10 }); // a REVOKE took it back to the parent

        this.running.taken(9);
        assertThat(this.running.listenerStarts()).isFalse();
        this.running.ended();
        this.running.taken(10); // never in practice: shows that the mark was dropped
        assertThat(this.running.listenerStarts()).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aRequestCancelledBetweenItsReadAndItsTakingDoesNotStart() {
        // the loop has read request 9 out of the frames read ahead, and not yet taken it, when the
        // heartbeat thread finds the INTERRUPT behind it
        this.running.cancel(new long[] { 9 }, List.of());

        this.running.taken(9);
        assertThat(this.running.listenerStarts()).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aCancelOfARequestFoundNowhereIsForgottenWhenTheNextRequestIsTaken() {
        this.running.cancel(new long[] { 5 }, List.of()); // answered already

        this.running.taken(6);
        assertThat(this.running.listenerStarts()).isTrue();
        this.running.ended();
        this.running.taken(5); // never in practice: shows that the mark was dropped
        assertThat(this.running.listenerStarts()).isTrue();
    }
}
