package io.ipcworkers.launch;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.ProcessOutput;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputPumpTest {

    @Test
    void aSinkThatFailsOnLinesGetsTheLinesAfterThem() {
        List<String> received = new CopyOnWriteArrayList<>();
        ProcessOutput failingSink = (name, pid, stream, line) -> {
            if (line.equals("one")) {
                throw new IllegalStateException("a sink's bug");
            }
            if (line.equals("two")) {
                throw new AssertionError("a sink's failed assertion");
            }
            received.add(line);
        };
        OutputTail tail = new OutputTail();
        OutputPump pump = new OutputPump(new ByteArrayInputStream("one\ntwo\nthree\n".getBytes(StandardCharsets.UTF_8)),
                failingSink, "child", 42, ProcessOutput.Stream.STDOUT, tail);

        try (CapturedLog log = new CapturedLog(OutputPump.class)) {
            pump.run(); // a child blocks on a full pipe once its pump stops: every line must be read

            assertThat(received).containsExactly("three");
            assertThat(tail.lines()).containsExactly("one", "two", "three");
            assertThat(log.messages()).singleElement().asString() // the first failure only: no flood
                .contains("failed on a line of child 42's stdout; the pump goes on");
        }
    }
}
