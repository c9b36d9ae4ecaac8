package io.ipcworkers.worker;

import java.io.IOException;

import io.ipcworkers.ParentProcess;
import io.ipcworkers.channel.RawWire;

/** Lets a test task inside a child write raw bytes to its parent. */
public final class ParentWire {

    private ParentWire() {
    }

    public static void writeRaw(ParentProcess parent, byte[] bytes) throws IOException {
        RawWire.write(((ConnectedParentProcess) parent).connection(), bytes);
    }

    /** Closes the child's socket without ending the process. */
    public static void closeSocket(ParentProcess parent) {
        RawWire.closeSocket(((ConnectedParentProcess) parent).connection());
    }
}
