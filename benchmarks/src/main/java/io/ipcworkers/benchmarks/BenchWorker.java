package io.ipcworkers.benchmarks;

import java.util.Map;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;

/** The shared workload as a plain pool worker, for the {@code MessageBus} figures. */
public class BenchWorker {

    private long count;

    private long slowSpinNanos = 0;

    /** The workload's echo: the message goes back as it came, undecoded, as {@link EchoTask} does it. */
    @IpcListener("ping")
    public Message ping(Message message) {
        return message;
    }

    /** The same with the payload converted both ways, as a typed listener does it. */
    @IpcListener("ping-typed")
    public Ping pingTyped(Ping ping) {
        return ping;
    }

    @IpcListener("big")
    public Message big(Message message) {
        return message; // echoed as it came: the payload is not decoded
    }

    @IpcListener("t")
    public void count() {
        this.count++;
        if (this.slowSpinNanos > 0) {
            long until = System.nanoTime() + this.slowSpinNanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }

    @IpcListener("slow")
    public void slow(long spinNanos) {
        this.slowSpinNanos = spinNanos;
    }

    @IpcListener("end")
    public void end(ParentProcess parent) {
        parent.sendMessage(Message.of("done", Map.of("count", this.count)));
        this.count = 0;
    }
}
