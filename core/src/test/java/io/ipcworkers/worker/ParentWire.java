package io.ipcworkers.worker;

import java.io.IOException;

import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.channel.RawWire;

/** Lets a test task inside a child write raw bytes to its parent. */
public final class ParentWire {

    private ParentWire() {
    }

    public static void writeRaw(ParentProcess parent, byte[] bytes) throws IOException {
        RawWire.write(((ConnectedParentProcess) parent).connection(), bytes);
    }

    /** Sends a well-formed frame of any type, correlation id and message, as a lying worker would. */
    public static void sendFrame(ParentProcess parent, FrameType type, long correlationId, Message message) {
        ConnectedParentProcess connected = (ConnectedParentProcess) parent;
        connected.send(type, 0, correlationId, connected.codec().encode(message));
    }

    /** Sends a frame with a body of any bytes, as a lying worker would. */
    public static void sendFrame(ParentProcess parent, FrameType type, long correlationId, byte[] body) {
        ((ConnectedParentProcess) parent).send(type, 0, correlationId, FrameWriter.BodyWriter.of(body));
    }

    /** Sends a frame with flags and a body of any bytes, as a lying worker would. */
    public static void sendFrame(ParentProcess parent, FrameType type, int flags, byte[] body) {
        ((ConnectedParentProcess) parent).send(type, flags, 0, FrameWriter.BodyWriter.of(body));
    }

    /** Stops reading the child's socket, so that the parent's writes fail, without ending the process. */
    public static void shutdownInput(ParentProcess parent) {
        RawWire.shutdownInput(((ConnectedParentProcess) parent).connection());
    }

    /** Closes the child's socket without ending the process. */
    public static void closeSocket(ParentProcess parent) {
        RawWire.closeSocket(((ConnectedParentProcess) parent).connection());
    }
}
