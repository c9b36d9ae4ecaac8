package io.ipcworkers.launch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * What a child needs to connect back, handed over on its stdin so that neither the socket path nor
 * the secret token ever appears on a command line ({@code ps} shows those to every user).
 *
 * @param socketPath the parent's Unix domain socket
 * @param token the one-time secret the child presents in its first frame
 * @param maxFrameLength the largest frame either side accepts
 */
public record Bootstrap(Path socketPath, String token, int maxFrameLength) {

    private static final int MAGIC = 0x49504357; // "IPCW"

    private static final int VERSION = 1;

    public void writeTo(OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(this.socketPath.toString());
        out.writeUTF(this.token);
        out.writeInt(this.maxFrameLength);
        out.flush();
    }

    public static Bootstrap readFrom(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic = in.readInt();
        int version = in.readInt();
        if (magic != MAGIC || version != VERSION) {
            throw new IOException("Not an ipc-workers bootstrap on stdin (magic " + Integer.toHexString(magic)
                    + ", version " + version + "): this class is started by ProcessManager, not by hand");
        }
        return new Bootstrap(Path.of(in.readUTF()), in.readUTF(), in.readInt());
    }
}
