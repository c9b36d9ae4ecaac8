package io.ipcworkers.launch;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A variable put in one child's environment, which every process it starts inherits (unless started
 * with an environment of its own making). It finds what a dead child left running: by then those
 * processes belong to init and are no longer anyone's descendants. Jenkins finds the processes a build
 * left behind the same way. The name carries the mark, so that the marks of nested children (a worker
 * that runs a {@code ProcessManager} of its own) add up rather than replace each other.
 */
final class ProcessTreeMark {

    static final String PREFIX = "IPC_WORKERS_TREE_";

    private final String variable;

    /** "NAME=", as an entry of {@code /proc/<pid>/environ} begins. */
    private final byte[] entryStart;

    private ProcessTreeMark(String variable) {
        this.variable = variable;
        this.entryStart = (variable + "=").getBytes(StandardCharsets.US_ASCII);
    }

    /** 64 random bits: not a secret, only unique among the children of every parent on the machine. */
    static ProcessTreeMark random() {
        return new ProcessTreeMark(PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
    }

    String variable() {
        return this.variable;
    }

    /**
     * Whether an environment in the form of {@code /proc/<pid>/environ} (entries ending in a zero byte)
     * holds this mark as a variable, not as part of another's name or value.
     */
    boolean isIn(byte[] environ) {
        int last = environ.length - this.entryStart.length;
        for (int at = 0; at <= last; at++) {
            if ((at == 0 || environ[at - 1] == 0) && startsAt(environ, at)) {
                return true;
            }
        }
        return false;
    }

    private boolean startsAt(byte[] environ, int at) {
        for (int i = 0; i < this.entryStart.length; i++) {
            if (environ[at + i] != this.entryStart[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return this.variable;
    }
}
