package io.ipcworkers.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.channel.FrameType;

/**
 * Sends a heartbeat to the parent at a fixed interval from a thread of its own, so that a worker
 * busy in a long listener still looks alive while a frozen one (SIGSTOP, a stuck JVM) falls silent.
 * Each beat carries the used heap and resident memory, which the parent uses for recycling.
 */
public final class Heartbeat {

    private static final Path STATUS = Path.of("/proc/self/status");

    private Heartbeat() {
    }

    static void start(ConnectedParentProcess parent, Duration interval) {
        Thread thread = new Thread(() -> beat(parent, interval), "ipc-heartbeat");
        thread.setDaemon(true);
        thread.start();
    }

    private static void beat(ConnectedParentProcess parent, Duration interval) {
        Runtime runtime = Runtime.getRuntime();
        try {
            while (true) {
                byte[] body = encode(runtime.totalMemory() - runtime.freeMemory(), residentBytes());
                parent.send(FrameType.HEARTBEAT, 0, 0, (out) -> out.write(body));
                Thread.sleep(interval.toMillis());
            }
        }
        catch (InterruptedException | RuntimeException ex) {
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
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String kilobytes = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kilobytes) * 1024;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // not Linux, or /proc not mounted
        }
        return 0;
    }
}
