package io.ipcworkers.channel;

import java.util.Arrays;

/**
 * Where a reader that handles each frame before it reads the next puts the frame it reads: one that
 * came whole in a read block is copied into memory the slot uses again for the next, so that it costs
 * no allocation (what a pool worker allocates per message slows it most while its heap grows;
 * benchmarks/README.md, item 67). What the slot holds is valid until the next read into it: a part
 * that must outlive it is taken with {@link #keptBody}.
 */
public final class FrameSlot {

    private static final int FIRST_CAPACITY = 256;

    private byte[] own = new byte[0];

    private FrameType type = FrameType.MESSAGE;

    private int flags;

    private long correlationId;

    private byte[] body = this.own;

    private int length;

    /** Holds a frame that owns its body: one read ahead, or one that did not come whole in a block. */
    void hold(Frame frame) {
        this.type = frame.type();
        this.flags = frame.flags();
        this.correlationId = frame.correlationId();
        this.body = frame.body();
        this.length = frame.body().length;
    }

    /**
     * Sets the header of a frame whose body the caller copies into the returned array, the slot's own
     * memory, grown when it is too small (to at most a read block: only a frame that came whole in one
     * is read in place).
     */
    byte[] reuse(FrameType type, int flags, long correlationId, int length) {
        if (this.own.length < length) {
            this.own = new byte[Math.max(length, Math.max(FIRST_CAPACITY, this.own.length * 2))];
        }
        this.type = type;
        this.flags = flags;
        this.correlationId = correlationId;
        this.body = this.own;
        this.length = length;
        return this.own;
    }

    public FrameType type() {
        return this.type;
    }

    public boolean hasFlag(int flag) {
        return (this.flags & flag) != 0;
    }

    public long correlationId() {
        return this.correlationId;
    }

    /** The array whose first {@link #length()} bytes are the body; valid until the next read into this slot. */
    public byte[] body() {
        return this.body;
    }

    public int length() {
        return this.length;
    }

    /**
     * The body's first {@code length} bytes in an array that stays as it is after the next read: the
     * frame's own body when it has one (what follows them is left in it), a copy of them otherwise.
     */
    public byte[] keptBody(int length) {
        return (this.body == this.own) ? Arrays.copyOf(this.body, length) : this.body;
    }
}
