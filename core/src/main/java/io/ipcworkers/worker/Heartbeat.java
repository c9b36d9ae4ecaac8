package io.ipcworkers.worker;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.channel.Durations;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter.BodyWriter;

/**
 * Sends a heartbeat to the parent at a fixed interval from a thread of its own, so that a worker
 * busy in a long listener still looks alive while a frozen one (SIGSTOP, a stuck JVM) falls silent.
 * Each beat carries the used heap and resident memory, which the parent uses for recycling. Between
 * beats the thread sends acknowledgements that a long-running listener holds up, and reads ahead the
 * messages sent meanwhile: the worker reads between listener calls, and a message larger than the
 * socket's buffer would otherwise keep its sender in the parent waiting until the listener returns;
 * of those, it gives back the ones the parent revokes ({@link Revocations}), and it interrupts the
 * running listener when the parent says nobody waits for its request ({@link RunningRequest}).
 */
public final class Heartbeat {

    /**
     * How often the heartbeat thread looks for acknowledgements held up by a listener that runs long,
     * while any are pending; with none pending it sleeps until the next beat.
     */
    static final long ACKNOWLEDGEMENT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final long MIN_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Messages read ahead while a listener runs, at most; past this the parent's sends wait for the
     * listener, as they did before reading ahead (plus one message begun, up to the frame limit).
     */
    static final int READ_AHEAD_BYTES = 4 * 1024 * 1024;

    /** How long one look waits for the rest of a message the parent is writing. */
    static final long READ_AHEAD_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Heartbeat() {
    }

    static Thread start(ConnectedParentProcess parent, Duration interval, WorkerDispatcher dispatcher) {
        Thread thread = new Thread(() -> beat(parent, interval, dispatcher), "ipc-heartbeat");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void beat(ConnectedParentProcess parent, Duration interval, WorkerDispatcher dispatcher) {
        Acknowledgements acknowledgements = dispatcher.acknowledgements();
        Runtime runtime = Runtime.getRuntime();
        long intervalNanos = Durations.cappedNanos(interval);
        long nextBeat = System.nanoTime();
        long framesSeen = -1;
        try {
            while (true) {
                acknowledgements.sendIfLate();
                if (System.nanoTime() - nextBeat >= 0) {
                    byte[] body = encode(runtime.totalMemory() - runtime.freeMemory(), residentBytes());
                    parent.send(FrameType.HEARTBEAT, 0, 0, BodyWriter.of(body));
                    nextBeat = System.nanoTime() + intervalNanos;
                }
                // the dispatcher took no frame since the last look: it runs one listener all that time (it
                // reads ahead then), or it waits for a frame (it holds the read lock then, and nothing is read)
                long frames = dispatcher.framesTaken();
                boolean readAhead = (frames == framesSeen)
                        && parent.readAhead(READ_AHEAD_BYTES, READ_AHEAD_BUDGET_NANOS);
                if (readAhead) {
                    // interrupts first: a REVOKED answer then also says that those before its REVOKE were taken
                    dispatcher.running().answerReadAhead(parent);
                    dispatcher.revocations().answerReadAhead();
                }
                boolean lookSoon = (frames != framesSeen) || readAhead;
                framesSeen = frames;
                long sleep = nextBeat - System.nanoTime();
                // asked to be woken when a message is taken, it looks at the count once more: a message taken
                // just before it asked would otherwise wait for the beat (the loop writes the count, then looks)
                if (lookSoon || acknowledgements.pendingElseWakeOnNext() || dispatcher.framesTaken() != frames) {
                    sleep = Math.min(sleep, ACKNOWLEDGEMENT_CHECK_NANOS);
                }
                LockSupport.parkNanos(Math.max(MIN_SLEEP_NANOS, sleep));
                if (Thread.interrupted()) {
                    return;
                }
            }
        }
        catch (RuntimeException ex) {
            // the parent is gone: the worker is on its way out
        }
    }

    static byte[] encode(long heapUsed, long resident) {
        return ByteBuffer.allocate(16).putLong(heapUsed).putLong(resident).array();
    }

    /** Decodes a heartbeat body: {@code [heapUsed, residentBytes]}. */
    public static long[] decode(byte[] body) {
        if (body.length != 16) {
            throw new IpcProtocolException("malformed HEARTBEAT frame of " + body.length + " bytes, expected 16");
        }
        ByteBuffer buffer = ByteBuffer.wrap(body);
        return new long[] { buffer.getLong(), buffer.getLong() };
    }

    /** VmRSS from /proc/self/status; 0 where there is no /proc. */
    static long residentBytes() {
        String status = ProcSelfStatus.read();
        String resident = (status != null) ? ProcSelfStatus.field(status, "VmRSS") : null; // "1234 kB"
        if (resident == null) {
            return 0;
        }
        try {
            return Long.parseLong(resident.substring(0, resident.indexOf(' ')).trim()) * 1024;
        }
        catch (RuntimeException ex) {
            return 0;
        }
    }
}
