package io.ipcworkers.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Picks the worker of a pool that takes its next message, by the pool's {@link Routing}, and reserves
 * room on it. Lock-free: the reservation is the worker's own ({@link PoolWorker#tryReserve}), so a
 * worker another caller filled meanwhile is passed over and the pick tried again, a few times at most.
 */
final class WorkerRouting implements Supplier<@Nullable PoolWorker> {

    /** The pool's slots, shared with it; a slot is empty while its worker is being replaced. */
    private final AtomicReferenceArray<@Nullable PoolWorker> workers;

    private final Routing routing;

    private final int maxInFlight;

    /** Where the next look starts, so that ties and turns go round the slots. */
    private final AtomicInteger next = new AtomicInteger();

    WorkerRouting(AtomicReferenceArray<@Nullable PoolWorker> workers, Routing routing, int maxInFlight) {
        this.workers = workers;
        this.routing = routing;
        this.maxInFlight = maxInFlight;
    }

    /** A worker with room, reserved for the caller; null when every one is full. */
    @Override
    public @Nullable PoolWorker get() {
        int size = this.workers.length();
        for (int tries = 0; tries < 4; tries++) {
            int start = Math.floorMod(this.next.getAndIncrement(), size);
            if (this.routing == Routing.ROUND_ROBIN) {
                return reserveInTurn(start);
            }
            PoolWorker best = leastBusy(start);
            if (best == null) {
                return null;
            }
            if (best.tryReserve(this.maxInFlight)) {
                return best;
            }
        }
        return null;
    }

    private @Nullable PoolWorker reserveInTurn(int start) {
        int size = this.workers.length();
        for (int i = 0; i < size; i++) {
            PoolWorker candidate = this.workers.get((start + i) % size);
            if (candidate != null && candidate.isUsable() && candidate.tryReserve(this.maxInFlight)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Of the workers with room, the one whose estimated wait is shortest ({@link WaitEstimates}): an
     * idle one at once, ties in turn from {@code start}. An estimate is never below the worker's
     * messages at the typical time each, and is that unless its listener runs long; so the worker with
     * the fewest messages has the shortest unless its listener runs long, and only then are the
     * estimates compared, to the clock read then (which keeps a stream's sends to counting, with no
     * clock read of their own, as a stream's heads never run long).
     */
    private @Nullable PoolWorker leastBusy(int start) {
        PoolWorker fewest = leastBusy(start, false);
        if (fewest == null || !fewest.isRunningLong()) {
            return fewest;
        }
        return leastBusy(start, true);
    }

    /** By messages in flight, or by estimated wait; full workers are passed over. */
    private @Nullable PoolWorker leastBusy(int start, boolean byEstimatedWait) {
        int size = this.workers.length();
        PoolWorker best = null;
        double bestBusy = Double.MAX_VALUE;
        long now = byEstimatedWait ? System.nanoTime() : 0;
        for (int i = 0; i < size; i++) {
            PoolWorker candidate = this.workers.get((start + i) % size);
            if (candidate == null || !candidate.isUsable()) {
                continue;
            }
            int load = candidate.inFlight();
            if (load == 0) {
                return candidate;
            }
            if (load >= this.maxInFlight) {
                continue; // full: the shortest wait is of no use to a caller who cannot join it
            }
            double busy = byEstimatedWait ? candidate.estimatedWait(load, now) : load;
            if (busy < bestBusy) {
                best = candidate;
                bestBusy = busy;
            }
        }
        return best;
    }
}
