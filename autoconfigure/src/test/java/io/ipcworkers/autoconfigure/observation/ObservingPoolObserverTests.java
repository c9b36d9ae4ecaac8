package io.ipcworkers.autoconfigure.observation;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.UnknownPoolException;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
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
        int reached = this.observer.send("thumbs", "resize", false, (headers) -> {
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
        assertThat(this.observer.send("thumbs", "reload", true, (headers) -> 3)).isEqualTo(3);
        assertThat(this.registry).hasSingleObservationThat()
            .hasContextualNameEqualTo("broadcast thumbs/reload")
            .hasLowCardinalityKeyValue("ipc.operation", "broadcast");
    }

    @Test
    void aSendThatThrowsIsObservedAsAnErrorAndItsExceptionReachesTheCaller() {
        UnknownPoolException unknown = new UnknownPoolException("nope", java.util.Set.of("thumbs"));
        assertThatExceptionOfType(UnknownPoolException.class)
            .isThrownBy(() -> this.observer.send("nope", "resize", false, (headers) -> {
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
            returned = this.observer.request("thumbs", "resize", (headers) -> {
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
        CompletableFuture<String> timedOut = this.observer.request("thumbs", "slow", (headers) -> new CompletableFuture<String>());
        IpcTimeoutException timeout = new IpcTimeoutException("too slow");
        timedOut.completeExceptionally(timeout);
        CompletableFuture<String> cancelled = this.observer.request("thumbs", "slower", (headers) -> new CompletableFuture<String>());
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
            .isThrownBy(() -> this.observer.request("thumbs", "resize", (headers) -> {
                throw closed;
            }))
            .isSameAs(closed);
        assertThat(this.registry).hasSingleObservationThat().hasBeenStopped().assertThatError().isSameAs(closed);
    }

    @Test
    void aParentListenerRunsWithItsObservationCurrentAndItsFailureIsObservedAndRethrown() throws Exception {
        AtomicReference<Observation> current = new AtomicReference<>();
        Object answer = this.observer.listen("thumbs", "progress", Map.of(), () -> {
            current.set(this.registry.getCurrentObservation());
            return "ok";
        });
        assertThat(answer).isEqualTo("ok");
        assertThat(current.get().getContextView()).isInstanceOf(IpcListenerObservationContext.class);
        IllegalArgumentException bug = new IllegalArgumentException("bad progress");
        assertThatExceptionOfType(IllegalArgumentException.class)
            .isThrownBy(() -> this.observer.listen("thumbs", "progress", Map.of(), () -> {
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
        custom.send("thumbs", "resize", false, (headers) -> 1);
        custom.listen("thumbs", "progress", Map.of(), () -> null);
        assertThat(this.registry).hasObservationWithNameEqualTo("workers.bus");
        assertThat(this.registry).hasObservationWithNameEqualTo("ipc.listener").that()
            .hasLowCardinalityKeyValue("pool", "thumbs")
            .doesNotHaveLowCardinalityKeyValueWithKey("ipc.topic");
    }

    @Test
    void whatTheHandlersPutInABusCallsCarrierIsSentAsItsHeaders() {
        this.registry.observationConfig().observationHandler(new ObservationHandler<IpcBusObservationContext>() {

            @Override
            public void onStart(IpcBusObservationContext context) {
                context.getSetter().set(context.getCarrier(), "traceparent", "00-" + context.getOperation() + "-01");
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof IpcBusObservationContext;
            }
        });
        AtomicReference<Map<String, String>> sent = new AtomicReference<>();
        this.observer.send("thumbs", "resize", false, (headers) -> {
            sent.set(headers);
            return 1;
        });
        assertThat(sent.get()).containsExactly(Map.entry("traceparent", "00-send-01"));
        this.observer.request("thumbs", "resize", (headers) -> {
            sent.set(headers);
            return new CompletableFuture<String>();
        });
        assertThat(sent.get()).containsExactly(Map.entry("traceparent", "00-request-01"));
    }

    @Test
    void aListenersHeadersAreItsObservationsCarrier() throws Exception {
        AtomicReference<Observation> current = new AtomicReference<>();
        this.observer.listen("thumbs", "resize", Map.of("traceparent", "00-abc-01"), () -> {
            current.set(this.registry.getCurrentObservation());
            return null;
        });
        IpcListenerObservationContext context = (IpcListenerObservationContext) current.get().getContextView();
        assertThat(context.getGetter().get(context.getCarrier(), "traceparent")).isEqualTo("00-abc-01");
        assertThat(context.getKind()).isEqualTo(io.micrometer.observation.transport.Kind.CONSUMER);
    }
}
