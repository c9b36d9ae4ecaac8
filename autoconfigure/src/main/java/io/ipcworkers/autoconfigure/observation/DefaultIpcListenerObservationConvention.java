package io.ipcworkers.autoconfigure.observation;

import io.ipcworkers.autoconfigure.observation.IpcObservation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * Names parent listener observations {@code ipc.listener}, tagged with the pool and topic; a span
 * reads, for example, {@code process thumbnails/progress}.
 */
public class DefaultIpcListenerObservationConvention implements IpcListenerObservationConvention {

    @Override
    public String getName() {
        return "ipc.listener";
    }

    @Override
    public String getContextualName(IpcListenerObservationContext context) {
        return "process " + context.getPool() + "/" + context.getTopic();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(IpcListenerObservationContext context) {
        return KeyValues.of(LowCardinalityKeyNames.POOL.withValue(context.getPool()),
                LowCardinalityKeyNames.TOPIC.withValue(context.getTopic()));
    }
}
