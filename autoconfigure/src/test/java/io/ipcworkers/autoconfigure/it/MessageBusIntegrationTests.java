package io.ipcworkers.autoconfigure.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.ipcworkers.Message;
import io.ipcworkers.MessageBus;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.RemoteListenerException;
import io.ipcworkers.UnknownPoolException;
import io.ipcworkers.autoconfigure.it.springworker.GreetingService;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import io.ipcworkers.pool.WorkerPools;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.ActiveProfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** The message bus against real worker JVMs: a pool of plain workers and a pool of Spring workers. */
@SpringBootTest(classes = TestApplication.class)
@ActiveProfiles("it")
class MessageBusIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    MessageBus bus;

    @Autowired
    WorkerPools pools;

    @Autowired
    ParentListeners listeners;

    @Autowired
    ApplicationContext context;

    private static <T> T result(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void requestToAPlainWorkerRepliesWithATypedRecord() throws Exception {
        Thumbnail thumbnail = result(this.bus.request("plain", "resize", new ResizeJob("cat.png", 200), Thumbnail.class));

        assertThat(thumbnail.name()).isEqualTo("cat.png@200");
        assertThat(thumbnail.height()).isEqualTo(150);
        assertThat(this.pools.pool("plain").workerPids()).contains(thumbnail.workerPid());
    }

    @Test
    void requestToASpringWorkerUsesItsBeansAndItsInjectedParent() throws Exception {
        String greeting = result(this.bus.request("spring", "greet", "Ada", String.class));

        assertThat(greeting).isEqualTo("Hello, Ada (parent " + ProcessHandle.current().pid() + ")");
        await().atMost(WAIT).until(() -> this.listeners.greeted.contains("Ada")
                && this.listeners.fromSpringPoolOnly.contains("Ada"));
    }

    @Test
    void aSpringWorkersListenerTopicMayBeAPlaceholderResolvedInTheWorker() throws Exception {
        assertThat(result(this.bus.request("spring", "farewell", "Ada", String.class))).isEqualTo("Goodbye, Ada");
    }

    @Test
    void aSpringWorkerWritesWithItsOwnContextsJsonMapper() throws Exception {
        // the worker's environment sets spring.jackson.property-naming-strategy, the parent's does not
        Message card = result(this.bus.request("spring", "card", "Ada", Message.class));
        assertThat(card.payload()).isEqualTo(Map.of("full_text", "Hello, Ada"));
    }

    @Test
    void workerConfigurationInScannedPackagesIsNotInstantiatedInTheParent() {
        assertThat(this.context.getBeanNamesForType(SpringWorkerConfig.class)).isEmpty();
        assertThat(this.context.getBeanNamesForType(GreetingService.class)).isEmpty();
    }

    @Test
    void returnValueOfAPlainSendComesBackToTheParentsListeners() {
        this.bus.send("plain", "double", 21);

        await().atMost(WAIT).until(() -> this.listeners.doubled.contains(42));
    }

    @Test
    void returnValueOfAParentListenerGoesBackToTheSendingWorker() {
        // each worker asks the parent; the parent's listener answers; each worker reports what it got back
        this.bus.broadcast("plain", "emit", Map.of("topic", "question", "payload", "life"));

        await().atMost(WAIT).until(() -> this.listeners.answered.keySet()
            .containsAll(this.pools.pool("plain").workerPids()));
        assertThat(this.listeners.answered.values()).containsOnly("answer to life");
    }

    @Test
    void broadcastReachesEveryLiveWorkerAndParentListenersSeeTheSender() {
        this.listeners.pids.clear();
        int reached = this.bus.broadcast("plain", "whoami", null);

        assertThat(reached).isEqualTo(2);
        await().atMost(WAIT).until(() -> this.listeners.pids.size() == 2);
        assertThat(this.listeners.pids).containsExactlyInAnyOrderElementsOf(this.pools.pool("plain").workerPids());
    }

    @Test
    void messagesFromOneWorkerAreDispatchedInTheOrderSent() {
        this.listeners.ticksByWorker.clear();
        this.bus.broadcast("plain", "count", 2000);

        await().atMost(WAIT).until(() -> this.listeners.ticksByWorker.size() == 2
                && this.listeners.ticksByWorker.values().stream().allMatch((ticks) -> ticks.size() == 2000));
        List<Integer> expected = IntStream.rangeClosed(1, 2000).boxed().toList();
        this.listeners.ticksByWorker.values().forEach((ticks) -> assertThat(ticks).isEqualTo(expected));
    }

    @Test
    void slowParentListenerDoesNotBlockRepliesFromTheSameWorker() throws Exception {
        this.listeners.releaseSlow = new CountDownLatch(1);
        try {
            this.bus.broadcast("plain", "emit", Map.of("topic", "slow", "payload", "x"));
            await().atMost(WAIT).until(() -> this.listeners.slowRunning);
            List<CompletableFuture<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                replies.add(this.bus.request("plain", "double", i, Integer.class));
            }
            for (int i = 0; i < 10; i++) {
                assertThat(result(replies.get(i))).isEqualTo(2 * i);
            }
            assertThat(this.listeners.slowRunning).as("slow listener still running").isTrue();
        }
        finally {
            this.listeners.releaseSlow.countDown();
        }
    }

    @Test
    void listenerExceptionFailsTheRequestWithTheExceptionsTypeAndMessage() {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> result(this.bus.request("plain", "fail", "no such image", Object.class)))
            .havingCause().isInstanceOfSatisfying(RemoteListenerException.class, (ex) -> {
                assertThat(ex.getRemoteExceptionType()).isEqualTo(IllegalArgumentException.class.getName());
                assertThat(ex).hasMessageContaining("Listener for topic 'fail' on worker plain-")
                    .hasMessageContaining("IllegalArgumentException: no such image");
            });
    }

    @Test
    void payloadThatDoesNotConvertFailsTheRequestNamingTopicTypeAndReasonAndOthersFlow() throws Exception {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> result(this.bus.request("plain", "resize", Map.of("path", "a", "width", "wide"), Thumbnail.class)))
            .havingCause().isInstanceOf(PayloadConversionException.class)
            .withMessageContaining("'resize'")
            .withMessageContaining(ResizeJob.class.getName())
            .withMessageContaining("wide");
        assertThat(result(this.bus.request("plain", "double", 4, Integer.class))).isEqualTo(8);
    }

    @Test
    void replyThatDoesNotConvertToTheRequestedTypeFailsTheFuture() {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> result(this.bus.request("plain", "double", 4, Thumbnail.class)))
            .havingCause().isInstanceOf(PayloadConversionException.class)
            .withMessageContaining(Thumbnail.class.getName());
    }

    @Test
    void requestForATopicNobodyListensToFailsNamingTopicAndPool() {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> result(this.bus.request("plain", "unheard", null, Object.class)))
            .havingCause().isInstanceOf(NoListenerException.class)
            .withMessageContaining("No listener for topic 'unheard' in pool 'plain'")
            .withMessageContaining("resize");
    }

    @Test
    void sendsAndBroadcastsForATopicNobodyListensToAreRefusedNamingTopicAndPool() {
        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> this.bus.send("plain", "unheard", 1))
            .withMessageContaining("No listener for topic 'unheard' in pool 'plain'")
            .withMessageContaining("resize");
        assertThatExceptionOfType(NoListenerException.class).isThrownBy(() -> this.bus.broadcast("plain", "unheard", 1))
            .withMessageContaining("No listener for topic 'unheard' in pool 'plain'");
    }

    @Test
    void messagesNobodyListensToInTheParentAreCounted() {
        this.bus.broadcast("plain", "emit", Map.of("topic", "nobody-listens", "payload", 1));

        await().atMost(WAIT).until(() -> this.pools.inbound().unhandledCounts().getOrDefault("nobody-listens", 0L) == 2);
    }

    @Test
    void failingParentListenerDoesNotStopTheFlow() {
        this.listeners.doubled.clear();
        this.bus.broadcast("plain", "emit", Map.of("topic", "bad-listener", "payload", 1));
        this.bus.send("plain", "double", 50);

        await().atMost(WAIT).until(() -> this.listeners.doubled.contains(100));
    }

    @Test
    void unknownPoolFailsAtOnceNamingTheKnownPools() {
        assertThatExceptionOfType(UnknownPoolException.class).isThrownBy(() -> this.bus.send("thumbs", "resize", null))
            .withMessageContaining("Unknown pool 'thumbs'; known pools: [plain, spring]");
        assertThatExceptionOfType(UnknownPoolException.class)
            .isThrownBy(() -> this.bus.request("thumbs", "resize", null, Object.class));
        assertThatExceptionOfType(UnknownPoolException.class).isThrownBy(() -> this.bus.broadcast("thumbs", "x", null));
    }

    @Test
    void workerCrashingMidRequestFailsItWithTheExitCodeAndIsReplaced() throws Exception {
        List<Long> before = this.pools.pool("plain").workerPids();

        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> result(this.bus.request("plain", "crash", 71, Object.class)))
            .havingCause().isInstanceOfSatisfying(ProcessExitedException.class, (ex) -> {
                assertThat(ex.getExitCode()).isEqualTo(71);
                assertThat(ex).hasMessageContaining("exited with code 71 while request 'crash' was in flight")
                    .hasMessageContaining("crashing on purpose with 71");
            });

        await().atMost(WAIT).until(() -> this.pools.pool("plain").workerPids().size() == 2
                && this.pools.pool("plain").workerPids().stream().filter(before::contains).count() == 1);
        assertThat(result(this.bus.request("plain", "double", 1, Integer.class))).isEqualTo(2);
    }
}
