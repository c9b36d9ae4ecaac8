package io.ipcworkers.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags {@link IpcObservation#BUS} observations; a bean of this type replaces
 * {@link DefaultIpcBusObservationConvention}.
 */
public interface IpcBusObservationConvention extends ObservationConvention<IpcBusObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof IpcBusObservationContext;
    }
}
