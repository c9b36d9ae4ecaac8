package io.ipcworkers.autoconfigure.observation;

import io.ipcworkers.autoconfigure.observation.IpcObservation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * Names bus observations {@code ipc.bus}, tagged with the pool, topic and operation; a span reads,
 * for example, {@code request thumbnails/resize}.
 */
public class DefaultIpcBusObservationConvention implements IpcBusObservationConvention {

    @Override
    public String getName() {
        return "ipc.bus";
    }

    @Override
    public String getContextualName(IpcBusObservationContext context) {
        return context.getOperation() + " " + context.getPool() + "/" + context.getTopic();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(IpcBusObservationContext context) {
        return KeyValues.of(LowCardinalityKeyNames.POOL.withValue(context.getPool()),
                LowCardinalityKeyNames.TOPIC.withValue(context.getTopic()),
                LowCardinalityKeyNames.OPERATION.withValue(context.getOperation()));
    }
}
