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
            return BusKeyNames.values();
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
            return ListenerKeyNames.values();
        }
    };

    /** Tags of {@link #BUS}. */
    public enum BusKeyNames implements KeyName {

        /** The pool's name. */
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

        /** {@code send}, {@code broadcast} or {@code request}. */
        OPERATION {
            @Override
            public String asString() {
                return "ipc.operation";
            }
        }
    }

    /** Tags of {@link #LISTENER}. */
    public enum ListenerKeyNames implements KeyName {

        /** The name of the pool whose worker sent the message. */
        POOL {
            @Override
            public String asString() {
                return "ipc.pool";
            }
        },

        /** The message's topic. */
        TOPIC {
            @Override
            public String asString() {
                return "ipc.topic";
            }
        }
    }
}
