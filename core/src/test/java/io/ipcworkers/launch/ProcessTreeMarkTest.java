package io.ipcworkers.launch;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessTreeMarkTest {

    private final ProcessTreeMark mark = ProcessTreeMark.random();

    @Test
    void isFoundAsAVariableAnywhereInAnEnvironment() {
        assertThat(this.mark.isIn(environ(this.mark.variable() + "=1", "HOME=/root"))).isTrue();
        assertThat(this.mark.isIn(environ("HOME=/root", this.mark.variable() + "=1", "TERM=xterm"))).isTrue();
        assertThat(this.mark.isIn(environ("HOME=/root", this.mark.variable() + "="))).isTrue();
    }

    @Test
    void isNotFoundInAnotherVariablesNameOrValueNorInAnotherMark() {
        assertThat(this.mark.isIn(environ("HOME=/root"))).isFalse();
        assertThat(this.mark.isIn(environ("COPY=" + this.mark.variable() + "=1"))).isFalse();
        assertThat(this.mark.isIn(environ("X" + this.mark.variable() + "=1"))).isFalse();
        assertThat(this.mark.isIn(environ(this.mark.variable() + "0=1"))).isFalse();
        assertThat(this.mark.isIn(environ(this.mark.variable()))).as("cut short").isFalse();
        assertThat(this.mark.isIn(new byte[0])).isFalse();
        assertThat(this.mark.isIn(environ(ProcessTreeMark.random().variable() + "=1"))).isFalse();
    }

    @Test
    void marksAreVariableNamesOfTheirOwn() {
        ProcessTreeMark other = ProcessTreeMark.random();
        assertThat(this.mark.variable()).startsWith("IPC_WORKERS_TREE_").matches("[A-Z_]+[0-9a-f]{16}")
            .isNotEqualTo(other.variable());
    }

    /** As {@code /proc/<pid>/environ} has it: each entry ends in a zero byte. */
    private static byte[] environ(String... entries) {
        return (String.join("\0", entries) + "\0").getBytes(StandardCharsets.US_ASCII);
    }
}
