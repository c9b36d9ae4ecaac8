package io.ipcworkers.pool;

/** How a pool picks the worker for a message or request. */
public enum Routing {

    /**
     * The worker a message would wait least for: an idle one, else, of those with room, the one whose
     * messages in flight, at the pool's typical time per message, end soonest, where a listener that
     * has run more than 20 ms past the typical time counts as needing as long again, and so does each
     * message queued behind it; ties go round robin. Until the pool has timed a message, the fewest
     * messages in flight. Good for uneven work: a worker busy with a long listener is passed over while
     * the others have short queues.
     */
    LEAST_BUSY,

    /** Each worker in turn, skipping workers at their in-flight limit. */
    ROUND_ROBIN
}
