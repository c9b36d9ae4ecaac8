package io.ipcworkers.autoconfigure.observation;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.ipcworkers.pool.PoolObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Makes an {@link IpcObservation} of each bus call and parent listener call. A listener's topic is
 * observed only once a parent listener takes it ({@link PoolObserver#listen}), so a worker cannot
 * add tag values.
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
    public int send(String pool, String topic, boolean broadcast, IntSupplier sending) {
        return bus(pool, topic, broadcast ? "broadcast" : "send").observe(sending::getAsInt);
    }

    /** The observation is current while the request is sent, and stops when its future completes. */
    @Override
    public <T> CompletableFuture<T> request(String pool, String topic, Supplier<CompletableFuture<T>> requesting) {
        Observation observation = bus(pool, topic, "request").start();
        CompletableFuture<T> future;
        try (Observation.Scope scope = observation.openScope()) {
            future = requesting.get();
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
    public @Nullable Object listen(String pool, String topic, Callable<@Nullable Object> listening) throws Exception {
        return IpcObservation.LISTENER
            .observation(this.listenerConvention, DEFAULT_LISTENER_CONVENTION,
                    () -> new IpcListenerObservationContext(pool, topic), this.registry)
            .observeChecked(listening::call);
    }

    private Observation bus(String pool, String topic, String operation) {
        return IpcObservation.BUS.observation(this.busConvention, DEFAULT_BUS_CONVENTION,
                () -> new IpcBusObservationContext(pool, topic, operation), this.registry);
    }
}
