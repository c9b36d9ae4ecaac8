package io.ipcworkers.channel;

import io.ipcworkers.IpcProtocolException;

/** A frame longer than the configured maximum, refused before any buffer for it was allocated. */
public class FrameTooLargeException extends IpcProtocolException {

    private static final long serialVersionUID = 1L;

    private final long length;

    public FrameTooLargeException(String direction, long length, int maxLength) {
        super(direction + " frame of " + length + " bytes exceeds the maximum frame length of " + maxLength
                + " bytes (raise the max-frame-length setting if such messages are intended)");
        this.length = length;
    }

    /** The frame's length as announced, in bytes after its length field. */
    public long length() {
        return this.length;
    }
}
