package io.ipcworkers.pool;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A pool's state at one moment, for the actuator endpoint and health.
 *
 * @param name the pool's name
 * @param state its lifecycle state
 * @param downReason why it is down, when it is
 * @param configuredWorkers how many workers it keeps running
 * @param runningWorkers how many are running and ready now
 * @param inFlight messages handed to workers and not yet acknowledged
 * @param waitingCallers callers waiting for a worker with room
 * @param restarts workers replaced after they crashed
 * @param recycles healthy workers replaced (recycling, rolling restarts)
 * @param messagesMoved queued messages its workers gave back for idle workers (rebalancing)
 * @param typicalMessageMillis the pool's typical time per message: a moving average of how long its
 *        workers took for the messages they acknowledged, by which least-busy routing weighs their queues;
 *        null until the first acknowledgement
 * @param topics the topics its workers listen to, sorted (empty until one is ready)
 * @param workers each slot's worker
 */
public record PoolSnapshot(String name, String state, @Nullable String downReason, int configuredWorkers,
        int runningWorkers, int inFlight, int waitingCallers, long restarts, long recycles, long messagesMoved,
        @Nullable Double typicalMessageMillis, List<String> topics, List<WorkerSnapshot> workers) {

    /**
     * One worker.
     *
     * @param name e.g. {@code thumbnails-2}
     * @param pid its process id; null while its slot is empty (its worker starting or being restarted,
     *        or the pool stopped)
     * @param state {@code starting}, {@code running}, {@code retiring}, {@code restarting} (the slot
     *        empty after a crash, while the pool runs or is down) or {@code stopped} (the slot empty
     *        once the pool stopped)
     * @param uptimeMillis how long it has been running
     * @param messagesHandled messages it acknowledged
     * @param inFlight messages it holds
     * @param currentTopic the topic of the message it is on (the oldest it has not acknowledged); null when
     *        it holds none
     * @param currentMillis how long that message has run, as far as the parent can tell (since it was
     *        sent to the idle worker, or the one before it was acknowledged); 0 when it holds none
     * @param restarts how often this slot's worker was restarted after a crash
     * @param lastExitCode exit code of this slot's previous worker, if any
     * @param lastExitCause what happened to it, if any
     * @param heapUsedBytes used heap, from its last heartbeat
     * @param maxHeapBytes the most heap it may take (its JVM's {@code -Xmx} or default), as it told when ready;
     *        null while it starts, for an empty slot, or when it told no figure
     * @param residentBytes resident memory, from its last heartbeat
     */
    public record WorkerSnapshot(String name, @Nullable Long pid, String state, long uptimeMillis, long messagesHandled,
            int inFlight, @Nullable String currentTopic, long currentMillis, long restarts,
            @Nullable Integer lastExitCode, @Nullable String lastExitCause, long heapUsedBytes,
            @Nullable Long maxHeapBytes, long residentBytes) {
    }
}
