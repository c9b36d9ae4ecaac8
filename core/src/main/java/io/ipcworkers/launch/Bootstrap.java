package io.ipcworkers.launch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * What a child needs to start, handed over on its stdin so that neither the socket path nor the
 * secret token ever appears on a command line ({@code ps} shows those to every user). The task
 * travels with it: the child can deserialize it while it connects, and need not wait for a round
 * trip over the socket before it starts working. Only the parent can write to a child's stdin.
 *
 * @param socketPath the parent's Unix domain socket
 * @param token the one-time secret the child presents in its first frame
 * @param maxFrameLength the largest frame either side accepts
 * @param parentPid the parent's pid, for {@code ParentProcess.getId()}
 * @param task the {@code WorkerTask}, as {@link TaskTransfer} encodes it
 */
public record Bootstrap(Path socketPath, String token, int maxFrameLength, long parentPid, byte[] task) {

    private static final int MAGIC = 0x49504357; // "IPCW"

    private static final int VERSION = 4;

    public void writeTo(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(this.socketPath.toString());
        out.writeUTF(this.token);
        out.writeInt(this.maxFrameLength);
        out.writeLong(this.parentPid);
        out.writeInt(this.task.length);
        out.write(this.task);
        out.flush();
    }

    public static Bootstrap readFrom(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic;
        int version;
        try {
            magic = in.readInt();
            version = in.readInt();
        }
        catch (EOFException ex) {
            throw new IOException("No ipc-workers bootstrap on stdin (it ended first): this class is started by "
                    + "ProcessManager, not by hand", ex);
        }
        if (magic != MAGIC || version != VERSION) {
            throw new IOException("Not an ipc-workers bootstrap on stdin (magic " + Integer.toHexString(magic)
                    + ", version " + version + "): this class is started by ProcessManager, not by hand");
        }
        Path socketPath = Path.of(in.readUTF());
        String token = in.readUTF();
        int maxFrameLength = in.readInt();
        long parentPid = in.readLong();
        int taskLength = in.readInt();
        if (taskLength < 0 || taskLength > maxFrameLength) {
            throw new IOException("Malformed bootstrap: a task of " + taskLength + " bytes");
        }
        return new Bootstrap(socketPath, token, maxFrameLength, parentPid, in.readNBytes(taskLength));
    }
}
