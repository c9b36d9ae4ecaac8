package io.ipcworkers.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import io.ipcworkers.codec.MessageIds;

/**
 * Gives the parent back the messages it revokes that this worker has not started, so that an idle
 * worker of the pool can take them. A {@code REVOKE} frame follows every message it lists on the
 * wire, so once it has been read ahead each listed message is either among the frames read ahead
 * before it, not started (given back), or was taken by the serving loop (kept: it runs or has run).
 * The answer goes out while reads wait, before the serving loop can take another frame and
 * acknowledge it: the parent's acknowledgements are cumulative and must not cover a message given back.
 */
final class Revocations {

    private static final long[] NONE = new long[0];

    private final ConnectedParentProcess parent;

    private final RunningRequest running;

    Revocations(ConnectedParentProcess parent, RunningRequest running) {
        this.parent = parent;
        this.running = running;
    }

    /** Looks through the frames read ahead for revocations; for the heartbeat thread, after it read ahead. */
    void answerReadAhead() {
        this.parent.editAhead(this::giveBack);
    }

    /** A revocation the serving loop reached itself: every message it lists was taken before it. */
    void answerReached() {
        answer(NONE);
    }

    private void giveBack(Deque<Frame> frames) {
        if (!containsRevocation(frames)) {
            return;
        }
        List<Frame> kept = new ArrayList<>(frames.size());
        for (Frame frame : frames) {
            if (frame.type() != FrameType.REVOKE) {
                kept.add(frame);
                continue;
            }
            Set<Long> revoked = idsOf(frame);
            long[] givenBack = new long[revoked.size()];
            int count = 0;
            for (Iterator<Frame> earlier = kept.iterator(); earlier.hasNext();) {
                Frame message = earlier.next();
                boolean tracked = (message.type() == FrameType.MESSAGE || message.type() == FrameType.REQUEST)
                        && message.correlationId() != 0; // untracked: a parent listener's answer, for this worker
                if (tracked && revoked.remove(message.correlationId())) {
                    givenBack[count++] = message.correlationId();
                    earlier.remove();
                }
            }
            long[] ids = Arrays.copyOf(givenBack, count);
            this.running.givenBack(ids); // a request cancelled while read ahead: it will not be taken now
            answer(ids);
        }
        frames.clear();
        frames.addAll(kept);
    }

    private static boolean containsRevocation(Deque<Frame> frames) {
        for (Frame frame : frames) {
            if (frame.type() == FrameType.REVOKE) {
                return true;
            }
        }
        return false;
    }

    /** The parent's list; one it garbled gives nothing back, which keeps every message where it is. */
    private static Set<Long> idsOf(Frame revoke) {
        Set<Long> ids = new HashSet<>();
        for (long id : listedIn(revoke, "Kept the messages of a malformed revocation")) {
            ids.add(id);
        }
        return ids;
    }

    /**
     * The message ids a {@code REVOKE} or {@code INTERRUPT} from the parent lists; none, said on stderr
     * as {@code whatWasDone}, when the parent garbled the list.
     */
    static long[] listedIn(Frame frame, String whatWasDone) {
        try {
            return MessageIds.decode(frame.body(), Integer.MAX_VALUE);
        }
        catch (IpcProtocolException ex) {
            System.err.println("[ipc-workers] " + whatWasDone + " from the parent: " + ex.getMessage());
            return new long[0];
        }
    }

    private void answer(long[] ids) {
        // batched, not written here: a parent that does not read now must not hold up the reads this holds
        this.parent.sendBatched(FrameType.REVOKED, 0, 0, BodyWriter.of(MessageIds.encode(ids)));
    }
}
