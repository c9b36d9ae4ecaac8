package io.ipcworkers.launch;

import java.time.Duration;
import java.util.List;

import io.ipcworkers.ProcessOutput;
import io.ipcworkers.channel.Connection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchedChildTest {

    /**
     * Under load the pumps may not have read a child's last lines when it is killed (or found dead and
     * killed to be sure, as a launch that fails does). {@code Process.destroyForcibly} closed our ends of
     * its pipes then, and those lines, often the only word of what went wrong, were lost.
     */
    @Test
    void killingAChildKeepsWhatItWroteThatWasNotReadYet() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "echo 'Unrecognized VM option' >&2; echo 'to stdout'; exit 1")
            .start();
        OutputTail tail = new OutputTail();
        OutputPump stdout = new OutputPump(process.getInputStream(), ProcessOutput.discard(), "w-1", process.pid(),
                ProcessOutput.Stream.STDOUT, tail);
        OutputPump stderr = new OutputPump(process.getErrorStream(), ProcessOutput.discard(), "w-1", process.pid(),
                ProcessOutput.Stream.STDERR, tail);
        LaunchedChild child = new LaunchedChild("w-1", process, Connection.CLOSED, List.of(stdout, stderr), tail);
        assertThat(process.waitFor()).isEqualTo(1);

        child.kill(); // before the pumps have read a byte
        stdout.start();
        stderr.start();

        assertThat(child.exitReport(Duration.ofSeconds(5).toMillis()).lastOutputLines())
            .containsExactlyInAnyOrder("Unrecognized VM option", "to stdout");
    }
}
