package io.ipcworkers.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.Message;
import io.ipcworkers.codec.MessageIds;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The bookkeeping of a worker's unacknowledged messages, without a worker: what an untrusted worker's
 * acknowledgements and givings back may take out of the queue, and what they may not.
 */
class InFlightQueueTest {

    private final WaitEstimates waits = new WaitEstimates();

    private final InFlightQueue queue = new InFlightQueue(this.waits);

    private static InFlight send(long id) {
        return new InFlight(id, Message.of("t" + id, null), null);
    }

    private static InFlight request(long id) {
        return new InFlight(id, Message.of("r" + id, null), new CompletableFuture<>(), Long.MAX_VALUE, null, null);
    }

    private List<InFlight> fill(InFlight... messages) {
        for (InFlight message : messages) {
            this.queue.add(message);
        }
        return List.of(messages);
    }

    @Test
    void onlyAMessageAddedToAnEmptyQueueIsTheHeadAndStartsItsClock() throws InterruptedException {
        long created = this.queue.headSinceNanos();
        Thread.sleep(2);
        InFlight first = send(1);
        assertThat(this.queue.add(first)).isTrue();
        long started = this.queue.headSinceNanos();
        assertThat(started).isGreaterThan(created);
        Thread.sleep(2);
        assertThat(this.queue.add(send(2))).isFalse();
        assertThat(this.queue.head()).isSameAs(first);
        assertThat(this.queue.headSinceNanos()).isEqualTo(started);
    }

    @Test
    void anAckAcknowledgesEveryPlainMessageUpToItsOwnAndTimesTheHead() throws InterruptedException {
        List<InFlight> sent = fill(send(1), send(2), send(3));
        long before = this.queue.headSinceNanos();
        Thread.sleep(2);
        assertThat(this.queue.acknowledgedThrough(2)).isEqualTo(2);
        assertThat(this.queue.head()).isSameAs(sent.get(2));
        assertThat(this.queue.headSinceNanos()).isGreaterThan(before);
        assertThat(this.waits.typicalNanos()).isNotEqualTo(WaitEstimates.UNKNOWN_TYPICAL_NANOS);
    }

    @Test
    void anAckForAMessageNotInTheQueueIsAProtocolErrorAndTakesNothing() {
        fill(send(1), send(2));
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> this.queue.acknowledgedThrough(7))
            .withMessageContaining("acknowledgement for message 7, which this worker does not have");
        assertThat(this.queue.drain()).extracting((message) -> message.id).containsExactly(1L, 2L);
    }

    @Test
    void anAckThatWouldPassAnUnansweredRequestIsAProtocolErrorAndTakesNothing() {
        fill(send(1), request(2), send(3));
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> this.queue.acknowledgedThrough(3))
            .withMessageContaining("covers request 'r2', which has not been answered");
        assertThat(this.queue.drain()).extracting((message) -> message.id).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anAnswerTakesItsOwnMessageWhereverItIsAndAnAnswerToAnUnknownOneIsAProtocolError() {
        List<InFlight> sent = fill(send(1), request(2), request(3));
        assertThat(this.queue.answered(3)).isSameAs(sent.get(2));
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> this.queue.answered(9))
            .withMessageContaining("acknowledgement for message 9, which this worker does not have");
        assertThat(this.queue.head()).isSameAs(sent.get(0));
        assertThat(this.queue.acknowledgedThrough(1)).isEqualTo(1);
        assertThat(this.queue.answered(2)).isSameAs(sent.get(1));
        assertThat(this.queue.isEmpty()).isTrue();
    }

    @Test
    void aShareOfTheQueueLeavesTheHeadAndWhatIsPinnedOrAnsweredAndTakesTheLastOnes() {
        InFlight answered = request(4);
        fill(send(1), send(2), InFlight.pinned(3, Message.of("p", null), null), answered, send(5), send(6), send(7));
        answered.reply.complete(null);
        // movable: 2, 5, 6, 7; with one idle worker, half of them (rounded up), the last ones
        assertThat(this.queue.queuedShare(1, false)).containsExactly(6, 7);
        assertThat(this.queue.queuedShare(3, false)).containsExactly(5, 6, 7);
        assertThat(this.queue.queuedShare(0, true)).containsExactly(2, 5, 6, 7);
        assertThat(this.queue.answeredIds()).containsExactly(4);
    }

    @Test
    void oneRevocationAtATimeAndAWithdrawalAskedMeanwhileIsAskedAgainOnceItIsAnswered() {
        List<InFlight> sent = fill(send(1), send(2), send(3));
        assertThat(this.queue.startRevoking(() -> new long[] { 2, 3 }, false)).containsExactly(2, 3);
        assertThat(this.queue.isRevoking()).isTrue();
        assertThat(this.queue.startRevoking(() -> new long[] { 3 }, true)).isEmpty();

        InFlightQueue.GivenBack givenBack = this.queue.givenBack(MessageIds.encode(new long[] { 3 }));
        assertThat(givenBack.messages()).containsExactly(sent.get(2));
        assertThat(givenBack.askAgain()).isTrue();
        assertThat(this.queue.isRevoking()).isFalse();
        assertThat(this.queue.drain()).containsExactly(sent.get(0), sent.get(1));
    }

    @Test
    void nothingIsNotedAsRevokedWhenTheChoiceIsEmpty() {
        fill(send(1));
        assertThat(this.queue.startRevoking(() -> new long[0], false)).isEmpty();
        assertThat(this.queue.isRevoking()).isFalse();
    }

    @Test
    void aGivingBackThatDoesNotFitWhatWasAskedIsAProtocolErrorAndTakesNothing() {
        fill(send(1), send(2), send(3));
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> this.queue.givenBack(MessageIds.encode(new long[] { 2 })))
            .withMessageContaining("no message was revoked");
        this.queue.startRevoking(() -> new long[] { 2, 3 }, false);
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> this.queue.givenBack(MessageIds.encode(new long[] { 1 })))
            .withMessageContaining("giving back message 1, which was not revoked or was given back twice");
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> this.queue.givenBack(MessageIds.encode(new long[] { 3, 3 })))
            .withMessageContaining("giving back message 3, which was not revoked or was given back twice");
        this.queue.acknowledgedThrough(2);
        assertThatExceptionOfType(IpcProtocolException.class)
            .isThrownBy(() -> this.queue.givenBack(MessageIds.encode(new long[] { 2 })))
            .withMessageContaining("a message that was acknowledged already");
        assertThat(this.queue.drain()).extracting((message) -> message.id).containsExactly(3L);
    }

    @Test
    void theHeadGivenBackRestartsTheClockOfTheNextOne() throws InterruptedException {
        fill(send(1), send(2));
        this.queue.startRevoking(() -> new long[] { 1 }, false);
        long before = this.queue.headSinceNanos();
        Thread.sleep(2);
        this.queue.givenBack(MessageIds.encode(new long[] { 1 }));
        assertThat(this.queue.headSinceNanos()).isGreaterThan(before);
    }

    @Test
    void onlyTheMessageStillRunningIsMarkedAsFailingWithItsWorker() {
        List<InFlight> sent = fill(send(1), send(2));
        IpcTimeoutException failure = new IpcTimeoutException("handler timeout");
        assertThat(this.queue.failHead(sent.get(1), failure)).isFalse();
        assertThat(sent.get(1).failure).isNull();
        assertThat(this.queue.failHead(sent.get(0), failure)).isTrue();
        assertThat(sent.get(0).failure).isSameAs(failure);
    }

    @Test
    void onlyRequestsPastTheirDeadlineAreDue() {
        long now = System.nanoTime();
        InFlight due = new InFlight(1, Message.of("r", null), new CompletableFuture<>(), now - 1, null, null);
        InFlight ahead = new InFlight(2, Message.of("r", null), new CompletableFuture<>(), now + 5_000, null, null);
        fill(due, send(3), ahead);
        List<InFlight> collected = new ArrayList<>();
        assertThat(this.queue.collectDueRequests(now, collected)).isEqualTo(5_000);
        assertThat(collected).containsExactly(due);
    }

    @Test
    void aMessageWhoseWriteFailedIsTakenBackUnlessTheDrainTookItFirst() {
        InFlight message = send(1);
        this.queue.add(message);
        assertThat(this.queue.remove(message)).isTrue();
        this.queue.add(message);
        assertThat(this.queue.drain()).containsExactly(message);
        assertThat(this.queue.remove(message)).isFalse();
        assertThat(this.queue.isEmpty()).isTrue();
    }
}
