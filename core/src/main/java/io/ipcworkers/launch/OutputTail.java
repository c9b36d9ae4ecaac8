package io.ipcworkers.launch;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last lines a child wrote to stdout and stderr together, so that a crash report can quote them:
 * the JVM itself prints some fatal errors (out of memory, say) to stdout.
 */
final class OutputTail {

    private static final int LINES = 20;

    private final ArrayDeque<String> lines = new ArrayDeque<>(LINES);

    synchronized void add(String line) {
        if (this.lines.size() == LINES) {
            this.lines.removeFirst();
        }
        this.lines.addLast(line);
    }

    synchronized List<String> lines() {
        return List.copyOf(this.lines);
    }
}
