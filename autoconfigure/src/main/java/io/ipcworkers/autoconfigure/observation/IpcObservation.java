package io.ipcworkers.autoconfigure.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of worker pools, made when {@code ipc.observation-enabled} is true and the
 * application (or, for its listeners, a Spring worker's context) has an
 * {@link io.micrometer.observation.ObservationRegistry}.
 */
public enum IpcObservation implements ObservationDocumentation {

    /**
     * A {@code MessageBus} send, broadcast or request, on the caller's thread: a send and a broadcast
     * until the message is queued on its workers' connections, a request until its future completes
     * (its reply, failure, timeout or cancellation). Named {@code ipc.bus}.
     */
    BUS {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIpcBusObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return LowCardinalityKeyNames.values();
        }
    },

    /**
     * An {@code @IpcListener} method's call, with the observation current while it runs: in the parent,
     * on a message a worker sent (or on a dead letter), on the pool's listener thread; in a Spring worker
     * whose context observes, on a message of the parent, continuing the trace its headers carry. Named
     * {@code ipc.listener}.
     */
    LISTENER {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultIpcListenerObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] { LowCardinalityKeyNames.POOL, LowCardinalityKeyNames.TOPIC };
        }
    };

    /** The tags: {@link #BUS} has all three, {@link #LISTENER} the pool and topic. */
    public enum LowCardinalityKeyNames implements KeyName {

        /** The pool's name (for a listener, the pool the message's worker belongs to). */
        POOL {
            @Override
            public String asString() {
                return "ipc.pool";
            }
        },

        /** The message's topic (keep topics to a fixed set: they become tag values). */
        TOPIC {
            @Override
            public String asString() {
                return "ipc.topic";
            }
        },

        /** A bus call's {@code send}, {@code broadcast} or {@code request}. */
        OPERATION {
            @Override
            public String asString() {
                return "ipc.operation";
            }
        }
    }
}
