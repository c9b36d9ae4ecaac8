package io.ipcworkers.autoconfigure.observation;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.UnknownPoolException;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ObservingPoolObserverTests {

    private final TestObservationRegistry registry = TestObservationRegistry.create();

    private final ObservingPoolObserver observer = new ObservingPoolObserver(this.registry, null, null);

    @Test
    void aSendIsObservedWhileItRunsWithItsPoolTopicAndOperation() {
        AtomicReference<Observation> current = new AtomicReference<>();
        int reached = this.observer.send("thumbs", "resize", false, () -> {
            current.set(this.registry.getCurrentObservation());
            return 1;
        });
        assertThat(reached).isEqualTo(1);
        assertThat(current.get()).isNotNull();
        assertThat(this.registry).hasSingleObservationThat()
            .hasNameEqualTo("ipc.bus")
            .hasContextualNameEqualTo("send thumbs/resize")
            .hasLowCardinalityKeyValue("ipc.pool", "thumbs")
            .hasLowCardinalityKeyValue("ipc.topic", "resize")
            .hasLowCardinalityKeyValue("ipc.operation", "send")
            .hasBeenStarted()
            .hasBeenStopped()
            .assertThatError().isNull();
    }

    @Test
    void aBroadcastSaysSoAndReturnsHowManyWorkersItReached() {
        assertThat(this.observer.send("thumbs", "reload", true, () -> 3)).isEqualTo(3);
        assertThat(this.registry).hasSingleObservationThat()
            .hasContextualNameEqualTo("broadcast thumbs/reload")
            .hasLowCardinalityKeyValue("ipc.operation", "broadcast");
    }

    @Test
    void aSendThatThrowsIsObservedAsAnErrorAndItsExceptionReachesTheCaller() {
        UnknownPoolException unknown = new UnknownPoolException("nope", java.util.Set.of("thumbs"));
        assertThatExceptionOfType(UnknownPoolException.class)
            .isThrownBy(() -> this.observer.send("nope", "resize", false, () -> {
                throw unknown;
            }))
            .isSameAs(unknown);
        assertThat(this.registry).hasSingleObservationThat().hasBeenStopped().assertThatError().isSameAs(unknown);
    }

    @Test
    void aRequestIsObservedUntilItsFutureCompletesAndItsCallersObservationIsItsParent() {
        CompletableFuture<String> reply = new CompletableFuture<>();
        Observation caller = Observation.start("http.server.requests", this.registry);
        AtomicReference<Observation> current = new AtomicReference<>();
        CompletableFuture<String> returned;
        try (Observation.Scope scope = caller.openScope()) {
            returned = this.observer.request("thumbs", "resize", () -> {
                current.set(this.registry.getCurrentObservation());
                return reply;
            });
        }
        assertThat(returned).isSameAs(reply);
        assertThat(current.get().getContextView().getName()).isEqualTo("ipc.bus");
        assertThat(current.get().getContextView().getParentObservation()).isSameAs(caller);
        assertThat(this.registry).hasObservationWithNameEqualTo("ipc.bus").that().isNotStopped();
        reply.complete("done");
        assertThat(this.registry).hasObservationWithNameEqualTo("ipc.bus").that()
            .hasContextualNameEqualTo("request thumbs/resize")
            .hasLowCardinalityKeyValue("ipc.operation", "request")
            .hasBeenStopped()
            .assertThatError().isNull();
    }

    @Test
    void aRequestThatFailsOrIsCancelledIsObservedWithItsFailure() {
        CompletableFuture<String> timedOut = this.observer.request("thumbs", "slow", CompletableFuture::new);
        IpcTimeoutException timeout = new IpcTimeoutException("too slow");
        timedOut.completeExceptionally(timeout);
        CompletableFuture<String> cancelled = this.observer.request("thumbs", "slower", CompletableFuture::new);
        cancelled.cancel(false);
        assertThat(this.registry).hasNumberOfObservationsEqualTo(2);
        assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> {
            assertThat(contexts).allSatisfy((context) -> assertThat(context.getError()).isNotNull());
            assertThat(contexts.get(0).getError()).isSameAs(timeout);
            assertThat(contexts.get(1).getError()).isInstanceOf(CancellationException.class);
        });
    }

    @Test
    void aRequestThatThrowsBeforeItIsSentIsObservedAsAnErrorAndRethrown() {
        IllegalStateException closed = new IllegalStateException("These pools have been closed");
        assertThatExceptionOfType(IllegalStateException.class)
            .isThrownBy(() -> this.observer.request("thumbs", "resize", () -> {
                throw closed;
            }))
            .isSameAs(closed);
        assertThat(this.registry).hasSingleObservationThat().hasBeenStopped().assertThatError().isSameAs(closed);
    }

    @Test
    void aParentListenerRunsWithItsObservationCurrentAndItsFailureIsObservedAndRethrown() throws Exception {
        AtomicReference<Observation> current = new AtomicReference<>();
        Object answer = this.observer.listen("thumbs", "progress", () -> {
            current.set(this.registry.getCurrentObservation());
            return "ok";
        });
        assertThat(answer).isEqualTo("ok");
        assertThat(current.get().getContextView()).isInstanceOf(IpcListenerObservationContext.class);
        IllegalArgumentException bug = new IllegalArgumentException("bad progress");
        assertThatExceptionOfType(IllegalArgumentException.class)
            .isThrownBy(() -> this.observer.listen("thumbs", "progress", () -> {
                throw bug;
            }))
            .isSameAs(bug);
        assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo("ipc.listener", 2);
        assertThat(this.registry).hasHandledContextsThatSatisfy((contexts) -> {
            assertThat(contexts.get(0).getContextualName()).isEqualTo("process thumbs/progress");
            assertThat(contexts.get(0).getLowCardinalityKeyValues())
                .isEqualTo(KeyValues.of("ipc.pool", "thumbs", "ipc.topic", "progress"));
            assertThat(contexts.get(0).getError()).isNull();
            assertThat(contexts.get(1).getError()).isSameAs(bug);
        });
    }

    @Test
    void conventionsGivenReplaceTheDefaultOnes() throws Exception {
        ObservingPoolObserver custom = new ObservingPoolObserver(this.registry, new DefaultIpcBusObservationConvention() {

            @Override
            public String getName() {
                return "workers.bus";
            }
        }, new DefaultIpcListenerObservationConvention() {

            @Override
            public KeyValues getLowCardinalityKeyValues(IpcListenerObservationContext context) {
                return KeyValues.of("pool", context.getPool());
            }
        });
        custom.send("thumbs", "resize", false, () -> 1);
        custom.listen("thumbs", "progress", () -> null);
        assertThat(this.registry).hasObservationWithNameEqualTo("workers.bus");
        assertThat(this.registry).hasObservationWithNameEqualTo("ipc.listener").that()
            .hasLowCardinalityKeyValue("pool", "thumbs")
            .doesNotHaveLowCardinalityKeyValueWithKey("ipc.topic");
    }
}
