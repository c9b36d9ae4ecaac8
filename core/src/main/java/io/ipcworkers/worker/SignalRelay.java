package io.ipcworkers.worker;

import java.nio.charset.StandardCharsets;

import io.ipcworkers.IpcException;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Hands SIGTERM, SIGINT and SIGHUP to the parent instead of exiting on them. A terminal's Ctrl-C (or its
 * closing) and a service manager's stop (systemd's default {@code KillMode=control-group}) signal every
 * process of the application at once: a worker that exited then would fail the work the parent is
 * draining as it stops. So a pool worker tells the parent ({@link FrameType#LEAVE}) and keeps working; the
 * parent, stopping anyway, stops it once its work is done, or, when the signal was this worker's alone
 * ({@code kill <pid>}), replaces it gracefully. Not installed when the JVM leaves these signals alone
 * ({@code -Xrs}) or was started with them ignored ({@code nohup}, a background job): it keeps them as they are.
 */
final class SignalRelay implements SignalHandler {

    private static final String[] SIGNALS = { "TERM", "INT", "HUP" };

    private final ConnectedParentProcess parent;

    private SignalRelay(ConnectedParentProcess parent) {
        this.parent = parent;
    }

    static void install(ConnectedParentProcess parent) {
        SignalRelay relay = new SignalRelay(parent);
        for (String name : SIGNALS) {
            try {
                Signal.handle(new Signal(name), relay);
            }
            catch (IllegalArgumentException ex) {
                // -Xrs, or a platform without it: the JVM's own handling stays
            }
        }
    }

    @Override
    public void handle(Signal signal) {
        try {
            this.parent.send(FrameType.LEAVE, 0, 0, BodyWriter.of(signal.getName().getBytes(StandardCharsets.US_ASCII)));
        }
        catch (IpcException ex) {
            // the parent is gone: this worker exits by itself, as it notices on its stdin
        }
    }
}
