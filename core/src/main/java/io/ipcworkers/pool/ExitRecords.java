package io.ipcworkers.pool;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.launch.LaunchedChild;
import org.jspecify.annotations.Nullable;

/**
 * What a pool does once one of its workers is gone, on that worker's reader thread: empties its slot,
 * settles what it had not acknowledged, keeps how it ended and the bytes it moved for the pool's
 * figures, tells the pool's listener, and hands a crash to recovery. A worker replaced or stopped on
 * purpose did not crash, nor did one that no longer held its slot.
 */
final class ExitRecords {

    private final WorkerPool pool;

    private final Unacknowledged unacknowledged;

    private final CrashRecovery recovery;

    private final RoomWaiters room;

    /** How each slot's last worker ended, for the snapshot; guarded by itself. */
    private final LaunchedChild.@Nullable ExitReport[] lastExits;

    private final AtomicLong bytesRead = new AtomicLong();

    private final AtomicLong bytesWritten = new AtomicLong();

    ExitRecords(WorkerPool pool, Unacknowledged unacknowledged, CrashRecovery recovery, RoomWaiters room) {
        this.pool = pool;
        this.unacknowledged = unacknowledged;
        this.recovery = recovery;
        this.room = room;
        this.lastExits = new LaunchedChild.ExitReport[pool.settings().workers()];
    }

    /** Records the worker's end; those waiting for that record are let go however it went. */
    void record(PoolWorker worker, LaunchedChild.ExitReport report, List<InFlight> unacknowledgedMessages) {
        try {
            recordGone(worker, report, unacknowledgedMessages);
        }
        finally {
            worker.end().recorded();
        }
    }

    private void recordGone(PoolWorker worker, LaunchedChild.ExitReport report, List<InFlight> unacknowledgedMessages) {
        String killReason = worker.end().killReason();
        LaunchedChild.ExitReport described = (killReason != null)
                ? new LaunchedChild.ExitReport(report.exitCode(), "was killed (" + killReason + ")", report.lastOutputLines())
                : report;
        WorkerPool.Vacated vacated = this.pool.vacate(worker, described);
        boolean expected = this.pool.retiringWorkers().remove(worker) || worker.isRetiring();
        WorkerPool.State state = vacated.state();
        boolean stopping = state == WorkerPool.State.STOPPING || state == WorkerPool.State.STOPPED;
        this.unacknowledged.settle(worker, described, unacknowledgedMessages, stopping);
        this.bytesRead.addAndGet(worker.launched().connection().bytesRead());
        this.bytesWritten.addAndGet(worker.launched().connection().bytesWritten());
        this.room.changed();
        String cause = stopping ? "stopped" : expected ? "recycled" : (killReason != null) ? "killed" : "crashed";
        synchronized (this.lastExits) {
            this.lastExits[worker.slot()] = described;
        }
        this.pool.listener().workerExited(this.pool.name(), worker.launched().name(), worker.getId(),
                described.exitCode(), cause, described.state());
        if (expected || stopping || !vacated.heldSlot()) {
            return;
        }
        this.recovery.crashed(worker, described);
    }

    /** How the slot's last worker ended; null while none has. */
    LaunchedChild.@Nullable ExitReport lastOf(int slot) {
        synchronized (this.lastExits) {
            return this.lastExits[slot];
        }
    }

    /** Frame bytes read from the pool's workers that are gone. */
    long bytesRead() {
        return this.bytesRead.get();
    }

    /** Frame bytes written to the pool's workers that are gone. */
    long bytesWritten() {
        return this.bytesWritten.get();
    }
}
