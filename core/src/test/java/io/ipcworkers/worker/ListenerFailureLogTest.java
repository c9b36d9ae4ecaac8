package io.ipcworkers.worker;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.ipcworkers.NoListenerException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerFailureLogTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private final ListenerFailureLog log = new ListenerFailureLog(new PrintStream(this.printed, true, StandardCharsets.UTF_8));

    @Test
    void aKindIsItsTopicItsExceptionClassAndTheLineThatThrew() {
        for (int i = 0; i < 3; i++) {
            this.log.sendFailed("t", thrownHere()); // one kind
        }
        this.log.sendFailed("t", thrownThere()); // another line
        this.log.sendFailed("u", thrownHere()); // another topic
        this.log.sendFailed("t", thrownHere(IllegalArgumentException::new)); // the same line, another class

        assertThat(traces()).isEqualTo(4);
        assertThat(lines()).filteredOn((line) -> line.startsWith("[ipc-workers] Listener for topic "))
            .hasSize(4)
            .allSatisfy((line) -> assertThat(line).endsWith("(each becomes a dead letter in the parent; this trace "
                    + "is printed for the first such failure only)"));
    }

    @Test
    void aRequestsFailureIsPrintedTheFirstTimeOnlyAndASendOfThatKindThenNotAtAll() {
        this.log.requestFailed("t", thrownHere());
        this.log.requestFailed("t", thrownHere());
        this.log.sendFailed("t", thrownHere());

        assertThat(traces()).isOne();
        assertThat(lines()).filteredOn((line) -> line.startsWith("[ipc-workers] Listener for topic "))
            .singleElement().asString()
            .isEqualTo("[ipc-workers] Listener for topic 't' failed a request: java.lang.IllegalStateException: boom "
                    + "(its caller gets the exception; this trace is printed for the first such failure only)");
    }

    @Test
    void pastTheKindsItRemembersEveryFailureIsPrintedInFull() {
        for (int i = 0; i < 300; i++) {
            this.log.sendFailed("topic-" + i, thrownHere());
        }
        this.log.sendFailed("topic-299", thrownHere());
        this.log.sendFailed("topic-0", thrownHere());

        assertThat(traces()).as("300 kinds, the last 44 of them not remembered").isEqualTo(301);
    }

    @Test
    void aTopicWithoutAListenerIsPrintedOnce() {
        this.log.noListener("t", new NoListenerException("No listener for topic 't' in worker pid 1"));
        this.log.noListener("t", new NoListenerException("No listener for topic 't' in worker pid 1"));

        assertThat(lines()).containsExactly("[ipc-workers] No listener for topic 't' in worker pid 1; dropping such messages");
    }

    private static RuntimeException thrownHere() {
        return thrownHere(IllegalStateException::new);
    }

    private static RuntimeException thrownHere(java.util.function.Function<String, RuntimeException> exception) {
        return exception.apply("boom");
    }

    private static IllegalStateException thrownThere() {
        return new IllegalStateException("boom");
    }

    /** Stack traces printed: each begins with a line of the exception alone. */
    private long traces() {
        return lines().stream().filter((line) -> line.startsWith("java.lang.")).count();
    }

    private java.util.List<String> lines() {
        return this.printed.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
