package io.ipcworkers;

import java.io.PrintStream;

/**
 * Where the lines a child writes to stdout and stderr go. The default,
 * {@link #console()}, forwards them to this JVM's {@code System.out} / {@code System.err}, each
 * prefixed with the child's name and pid, so the output of many children stays readable.
 */
@FunctionalInterface
public interface ProcessOutput {

    /** Which of a child's streams a line came from. */
    enum Stream {
        STDOUT, STDERR
    }

    /**
     * Called once per line, on a thread that reads that child's stream.
     * @param name the child's name ({@code "child"} or {@code "<pool>-<n>"})
     * @param pid the child's pid
     * @param stream the stream the line came from
     * @param line the line, without its line terminator
     */
    void line(String name, long pid, Stream stream, String line);

    /** Prints {@code [name pid] line} to this JVM's stdout or stderr. */
    static ProcessOutput console() {
        return (name, pid, stream, line) -> {
            PrintStream target = (stream == Stream.STDERR) ? System.err : System.out;
            target.println("[" + name + " " + pid + "] " + line);
        };
    }

    /** Drops every line (still read, so a chatty child never blocks on a full pipe). */
    static ProcessOutput discard() {
        return (name, pid, stream, line) -> { };
    }
}
