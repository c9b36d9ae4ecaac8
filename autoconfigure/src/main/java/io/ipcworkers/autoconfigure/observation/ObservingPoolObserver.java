package io.ipcworkers.autoconfigure.observation;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import io.ipcworkers.pool.PoolObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Makes an {@link IpcObservation} of each bus call and listener call. A bus call's headers are what
 * the handlers put in its context's carrier (a tracing handler, the trace context); a listener's
 * context reads the ones its message came with. In the parent a listener's topic is observed only
 * once a parent listener takes it ({@link PoolObserver#listen}), so a worker cannot add tag values.
 */
final class ObservingPoolObserver implements PoolObserver {

    private static final DefaultIpcBusObservationConvention DEFAULT_BUS_CONVENTION = new DefaultIpcBusObservationConvention();

    private static final DefaultIpcListenerObservationConvention DEFAULT_LISTENER_CONVENTION = new DefaultIpcListenerObservationConvention();

    private final ObservationRegistry registry;

    private final @Nullable IpcBusObservationConvention busConvention;

    private final @Nullable IpcListenerObservationConvention listenerConvention;

    ObservingPoolObserver(ObservationRegistry registry, @Nullable IpcBusObservationConvention busConvention,
            @Nullable IpcListenerObservationConvention listenerConvention) {
        this.registry = registry;
        this.busConvention = busConvention;
        this.listenerConvention = listenerConvention;
    }

    @Override
    public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
        IpcBusObservationContext context = new IpcBusObservationContext(pool, topic, broadcast ? "broadcast" : "send");
        return bus(context).observe(() -> sending.applyAsInt(headers(context)));
    }

    /** The observation is current while the request is sent, and stops when its future completes. */
    @Override
    public <T> CompletableFuture<T> request(String pool, String topic,
            Function<Map<String, String>, CompletableFuture<T>> requesting) {
        IpcBusObservationContext context = new IpcBusObservationContext(pool, topic, "request");
        Observation observation = bus(context).start();
        CompletableFuture<T> future;
        try (Observation.Scope scope = observation.openScope()) {
            future = requesting.apply(headers(context));
        }
        catch (RuntimeException | Error ex) {
            observation.error(ex);
            observation.stop();
            throw ex;
        }
        future.whenComplete((reply, failure) -> {
            if (failure != null) {
                observation.error((failure instanceof CompletionException && failure.getCause() != null)
                        ? failure.getCause() : failure);
            }
            observation.stop();
        });
        return future;
    }

    @Override
    public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
            Callable<@Nullable Object> listening) throws Exception {
        return IpcObservation.LISTENER
            .observation(this.listenerConvention, DEFAULT_LISTENER_CONVENTION,
                    () -> new IpcListenerObservationContext(pool, topic, headers), this.registry)
            .observeChecked(listening::call);
    }

    private Observation bus(IpcBusObservationContext context) {
        return IpcObservation.BUS.observation(this.busConvention, DEFAULT_BUS_CONVENTION, () -> context, this.registry);
    }

    /** What the handlers put in the context's carrier as the observation started (a trace context, say). */
    private static Map<String, String> headers(IpcBusObservationContext context) {
        Map<String, String> carrier = context.getCarrier();
        return (carrier != null) ? carrier : Map.of();
    }
}
