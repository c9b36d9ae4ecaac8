package io.ipcworkers.pool;

/** How a pool picks the worker for a message or request. */
public enum Routing {

    /** The worker with the fewest requests in flight; ties go round robin. Good for uneven work. */
    LEAST_BUSY,

    /** Each worker in turn, skipping workers at their in-flight limit. */
    ROUND_ROBIN
}
