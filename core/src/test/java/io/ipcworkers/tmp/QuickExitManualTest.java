package io.ipcworkers.tmp;

import io.ipcworkers.*;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class QuickExitManualTest {
    @Test
    void quick() throws Exception {
        int failures = 0;
        try (ProcessManager pm = new ProcessManager()) {
            for (int i = 0; i < 150; i++) {
                try {
                    ChildProcess child = pm.runProcess((self, parent) -> parent.sendMessage(Message.of("hi", null)));
                    Message m = child.getNextMessage();
                    assertThat(m.topic()).isEqualTo("hi");
                } catch (ProcessExitedException ex) {
                    failures++;
                    System.out.println("FAIL " + i + ": " + ex.getMessage());
                }
            }
        }
        System.out.println("FAILURES " + failures);
        assertThat(failures).isZero();
    }
}
