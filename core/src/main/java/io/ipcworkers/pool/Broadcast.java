package io.ipcworkers.pool;

import java.util.ArrayList;
import java.util.List;

import io.ipcworkers.Message;
import io.ipcworkers.PoolUnavailableException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.channel.Durations;
import org.jspecify.annotations.Nullable;

/**
 * A pool's broadcasts: one copy of a message for every usable worker listening to its topic, each
 * taking room on its worker like a send. Workers with room get theirs at once; then the caller waits,
 * up to the acquire timeout, for room on the others.
 */
final class Broadcast {

    private final WorkerPool pool;

    private final RoomWaiters room;

    private final int maxInFlight;

    Broadcast(WorkerPool pool, RoomWaiters room) {
        this.pool = pool;
        this.room = room;
        this.maxInFlight = pool.settings().maxInFlight();
    }

    /**
     * Sends the message to every usable worker; a worker that dies meanwhile is not counted (its
     * replacement starts afresh).
     * @param headers for the workers ({@link io.ipcworkers.codec.MessageHeaders}, encoded); null for none
     * @return how many workers it reached
     * @throws io.ipcworkers.NoListenerException for a topic the pool's workers have no listener for
     *     (nothing is sent)
     * @throws PoolUnavailableException when a worker stays full past the acquire timeout, saying how
     *     many workers the message reached
     */
    int send(String topic, @Nullable Object payload, byte @Nullable [] headers) {
        this.pool.requireAccepting(topic, null);
        Message message = Message.of(topic, payload);
        this.pool.requireListener(topic);
        List<PoolWorker> targets = this.pool.usableWorkers(); // each announced the topics checked just now
        List<PoolWorker> full = new ArrayList<>();
        int sent = 0;
        for (PoolWorker worker : targets) {
            if (!worker.tryReserve(this.maxInFlight)) {
                full.add(worker);
            }
            else if (deliverOnReservation(worker, message, headers)) {
                sent++;
            }
        }
        long deadline = System.nanoTime() + Durations.cappedNanos(this.pool.settings().acquireTimeout());
        for (PoolWorker worker : full) {
            String reached = "'" + topic + "' reached " + sent + " of " + targets.size() + " workers";
            boolean reserved = this.room.await(topic, reached, deadline, () -> roomOn(worker),
                    (t) -> stillFull(worker, reached));
            if (reserved && deliverOnReservation(worker, message, headers)) {
                sent++;
            }
        }
        return sent;
    }

    /** Room reserved on this worker, none while it is still full, or false once it is gone. */
    private @Nullable Boolean roomOn(PoolWorker worker) {
        if (!worker.isUsable()) {
            return Boolean.FALSE;
        }
        return worker.tryReserve(this.maxInFlight) ? Boolean.TRUE : null;
    }

    private PoolUnavailableException stillFull(PoolWorker worker, String reached) {
        return new PoolUnavailableException("Pool '" + this.pool.name() + "' is busy: " + worker.describeLowercase()
                + " has " + this.maxInFlight + " messages in flight and none finished within "
                + this.pool.settings().acquireTimeout() + "; " + reached);
    }

    /** @return false when the worker died in the meantime: it is being replaced and was not reached */
    private boolean deliverOnReservation(PoolWorker worker, Message message, byte @Nullable [] headers) {
        try {
            worker.deliver(InFlight.pinned(this.pool.nextId(), message, headers));
            this.pool.listener().messageSent(this.pool.name(), message.topic());
            return true;
        }
        catch (ProcessExitedException ex) {
            worker.release();
            return false;
        }
        catch (RuntimeException ex) {
            worker.release(); // a payload that cannot be written, say: the place it took is free again
            throw ex;
        }
    }
}
