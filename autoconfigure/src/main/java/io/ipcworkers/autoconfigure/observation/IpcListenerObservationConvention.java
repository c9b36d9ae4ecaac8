package io.ipcworkers.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags {@link IpcObservation#LISTENER} observations; a bean of this type replaces
 * {@link DefaultIpcListenerObservationConvention}.
 */
public interface IpcListenerObservationConvention extends ObservationConvention<IpcListenerObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof IpcListenerObservationContext;
    }
}
