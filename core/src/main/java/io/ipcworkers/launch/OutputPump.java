package io.ipcworkers.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

import io.ipcworkers.ProcessOutput;
import io.ipcworkers.dispatch.Callbacks;

/**
 * Reads one of a child's output streams line by line and forwards each line to a
 * {@link ProcessOutput}, keeping the last few in a shared {@link OutputTail}.
 */
final class OutputPump implements Runnable {

    private static final System.Logger logger = System.getLogger(OutputPump.class.getName());

    private static final int MAX_LINE_CHARS = 8192;

    private final InputStream stream;

    private final ProcessOutput output;

    private final String name;

    private final long pid;

    private final ProcessOutput.Stream kind;

    private final OutputTail tail;

    private final Thread thread;

    OutputPump(InputStream stream, ProcessOutput output, String name, long pid, ProcessOutput.Stream kind,
            OutputTail tail) {
        this.tail = tail;
        this.stream = stream;
        this.output = output;
        this.name = name;
        this.pid = pid;
        this.kind = kind;
        this.thread = new Thread(this, "ipc-" + kind.name().toLowerCase() + "-" + pid);
        this.thread.setDaemon(true);
    }

    void start() {
        this.thread.start();
    }

    @Override
    public void run() {
        try (Reader reader = new InputStreamReader(this.stream, StandardCharsets.UTF_8)) {
            BoundedLineReader lines = new BoundedLineReader(reader, MAX_LINE_CHARS);
            String line;
            boolean sinkFailed = false;
            while ((line = lines.readLine()) != null) {
                this.tail.add(line);
                try {
                    this.output.line(this.name, this.pid, this.kind, line);
                }
                catch (RuntimeException | Error ex) {
                    // a failing output sink must not stop the pump, or the child would block on a full pipe
                    Callbacks.rethrowIfFatal(ex);
                    if (!sinkFailed) { // once: a sink that fails on every line would flood the log
                        sinkFailed = true;
                        logger.log(Level.WARNING, "ProcessOutput " + this.output + " failed on a line of "
                                + this.name + " " + this.pid + "'s " + this.kind.name().toLowerCase()
                                + "; the pump goes on, and further failures on this stream are not logged", ex);
                    }
                }
            }
        }
        catch (IOException ex) {
            // the stream closed under us: the child is gone
        }
    }

    /** Waits briefly for the pump to reach the end of the stream, so the last lines are in the tail. */
    void awaitEnd(long millis) {
        try {
            this.thread.join(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
