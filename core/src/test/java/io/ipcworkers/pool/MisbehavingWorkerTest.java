package io.ipcworkers.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import io.ipcworkers.DeadLetter;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.codec.ErrorReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The parent trusts nothing a worker sends: a worker that breaks the protocol (garbage, oversized or
 * misplaced frames, answers to what it was never sent) is killed and replaced without the parent
 * allocating what it claims, and one that stops reading or closes its socket but lives on is too.
 */
class MisbehavingWorkerTest extends FaultInjectionFixture {

    /** A request on the topic fails because its worker is killed for what it then sends the parent. */
    private static void assertKilledForBreakingTheProtocol(WorkerPool pool, String topic, String breach) {
        assertThat(failureOf(pool.request(topic, null, Object.class))).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("was killed (broke the protocol: " + breach + ")");
    }

    @Test
    void aWorkerThatMakesUpTopicsGrowsNeitherTheParentsCountsNorItsMeters() {
        List<String> reportedTopics = new CopyOnWriteArrayList<>();
        PoolListener meters = new PoolListener() {
            @Override
            public void messageReceived(String pool, String topic) {
                reportedTopics.add(topic);
            }
        };
        WorkerPool pool = start(UnaryOperator.identity(), List.of(meters));
        int topics = 3 * TopicCounts.MAX_TOPICS;

        pool.send("spray", topics);

        await().atMost(WAIT).until(() -> this.flooded.get() == 1); // sent after the others, handled in order
        Map<String, Long> unhandled = this.pools.inbound().unhandledCounts();
        assertThat(unhandled).hasSize(TopicCounts.MAX_TOPICS + 1)
            .containsEntry("sprayed-0", 1L)
            .containsEntry(InboundDispatcher.OTHER_TOPICS, (long) topics - TopicCounts.MAX_TOPICS);
        assertThat(reportedTopics).hasSize(topics + 1)
            .containsOnly(PoolListener.UNHANDLED_TOPIC, "flooded")
            .endsWith("flooded");
    }

    @Test
    void workerThatWritesGarbageIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "garbage", "malformed frame: unknown frame type 77");
        assertBackToSize(pool);
    }

    @Test
    void workerThatSaysASignalWithoutANameIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "leave-unnamed", "malformed LEAVE frame of 12 bytes");
        assertBackToSize(pool);
    }

    @Test
    void workerThatWritesAnOversizedFrameIsKilledWithoutTheParentAllocatingIt() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertThat(failureOf(pool.request("oversized", null, Object.class))).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("exceeds the maximum frame length of 1048576 bytes");
        assertBackToSize(pool);
    }

    @Test
    void workerThatAcknowledgesAMessageItWasNeverSentIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "acknowledge-unknown",
                "acknowledgement for message 0, which this worker does not have");
        assertBackToSize(pool);
    }

    @Test
    void workerThatAnswersWithAnUnreadableErrorIsKilledAndTheRequestFailsInsteadOfBeingForgotten() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        // the pool's first message: its correlation id is 1, which the worker answers with the lie
        assertThat(failureOf(pool.request("unreadable-error", null, Object.class)))
            .isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("was killed (broke the protocol: ")
            .hasMessageContaining(ErrorReply.class.getName());
        assertBackToSize(pool);
    }

    @Test
    void repliesThatComeBackInAnotherOrderCompleteTheirOwnRequests(@TempDir Path dir) throws Exception {
        WorkerPool pool = start(FaultInjectionFixture::oneWorker);
        Path go = dir.resolve("go");

        // the pool's first two messages (correlation ids 1 and 2), both to its one worker, answered 2 then 1
        CompletableFuture<String> first = pool.request("answer-swapped", go.toString(), String.class);
        CompletableFuture<String> second = pool.request("answer-swapped", go.toString(), String.class);
        Files.createFile(go);

        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("answer to 2");
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("answer to 1");
        assertThat(pool.inFlight()).isZero();
        assertThat(pool.restartCount()).isZero(); // answering out of order breaks no rule
        long pid = pool.workerPids().get(0);
        signal("KILL", pid); // it takes no further message
        await().atMost(WAIT).until(() -> pool.usableWorkers().size() == 1 && pool.workerPids().get(0) != pid);
        assertThat(pool.request("echo", "still fine", String.class).get(10, TimeUnit.SECONDS)).isEqualTo("still fine");
    }

    @Test
    void aWorkerThatAnswersARequestTwiceIsKilledAndReplacedAndItsFirstAnswerStands() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        // the pool's first message: its correlation id is 1, which the worker answers twice
        assertThat(pool.request("answer-twice", null, String.class).get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo("answer to 1");
        await().atMost(WAIT).until(() -> pool.restartCount() == 1);
        assertThat(pool.snapshot().workers()).anySatisfy((worker) -> assertThat(worker.lastExitCause())
            .contains("broke the protocol: acknowledgement for message 1, which this worker does not have"));
        assertThat(this.deadLetters).isEmpty();
        assertBackToSize(pool);
    }

    @Test
    void workerThatAnnouncesItselfAgainOrWithoutBoundsIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity(), List.of(), 4 << 20);

        assertKilledForBreakingTheProtocol(pool, "announce-again", "a second READY frame");
        assertKilledForBreakingTheProtocol(pool, "announce-many", "READY frame announcing 10001 topics, more than 10000");
        assertThat(failureOf(pool.request("announce-big", null, Object.class)))
            .isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("more than 1048576");
        assertBackToSize(pool);
    }

    @Test
    void workerThatSendsAFrameOutOfPlaceOrAReadyFrameWithoutTopicsOrGivesBackWhatWasNotRevokedOrMalformedHeadersIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());

        assertKilledForBreakingTheProtocol(pool, "out-of-place", "unexpected REQUEST frame");
        assertKilledForBreakingTheProtocol(pool, "announce-nothing", "malformed READY frame: no topic list");
        assertKilledForBreakingTheProtocol(pool, "give-back-unasked", "REVOKED frame, but no message was revoked");
        assertKilledForBreakingTheProtocol(pool, "bad-headers", "malformed message headers: headers of 32767 bytes in a body of 9");
        assertBackToSize(pool);
    }

    @Test
    void workerThatClosesItsSocketButStaysAliveIsKilledAndReplaced() throws Exception {
        WorkerPool pool = start(UnaryOperator.identity());
        CompletableFuture<Object> request = pool.request("close-socket", null, Object.class);

        assertThat(failureOf(request)).isInstanceOf(ProcessExitedException.class)
            .hasMessageContaining("was killed (closed its connection but kept running)");
        assertBackToSize(pool);
    }

    @Test
    void aWorkerThatCanNoLongerBeWrittenToButLivesOnIsPassedOverKilledAndReplaced() throws Exception {
        // in turn, so that sends go its way (the least busy one would be the other worker, always idle)
        WorkerPool pool = start((settings) -> settings.withRouting(Routing.ROUND_ROBIN));
        pool.send("stop-reading", null);
        await().atMost(WAIT).until(() -> pool.currentWorkers().stream().anyMatch((worker) -> worker.inFlight() == 1));
        long deaf = pool.currentWorkers().stream().filter((worker) -> worker.inFlight() == 1).findFirst().orElseThrow()
            .getId();
        this.seenPids.addAll(pool.workerPids());
        // not before: on a busy machine all its share of the sends below could reach it while it still read
        await().atMost(WAIT).until(() -> this.noted.contains(0));

        // its heartbeats go on; only writing to it fails, as the first of these that goes its way finds
        List<Integer> sent = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            pool.send("echo", n);
            sent.add(n);
            Thread.sleep(5);
        }

        await().atMost(WAIT).until(() -> !isAlive(deaf));
        await().atMost(WAIT).untilAsserted(() -> assertThat(unaccountedFor(sent)).isEmpty());
        assertThat(this.deadLetters).isNotEmpty().allSatisfy((letter) -> assertThat(letter.reason())
            .contains("Worker faulty-").contains("(pid " + deaf + ") was killed (could not be written to (")
            .contains(") but kept running)"));
        assertThat(this.deadLetters).extracting(DeadLetter::topic).contains("stop-reading");
        assertBackToSize(pool);
        assertThat(pool.workerPids()).doesNotContain(deaf);
    }
}
