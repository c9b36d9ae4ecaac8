package io.ipcworkers.worker;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcSelfStatusTest {

    @Test
    void aFieldIsItsValueTrimmedAndAMissingOneIsNull() {
        String status = "\nName:\tjava\nVmRSS:\t   51234 kB\nNSpid:\t48213\t7";

        assertThat(ProcSelfStatus.field(status, "VmRSS")).isEqualTo("51234 kB");
        assertThat(ProcSelfStatus.field(status, "NSpid")).isEqualTo("48213\t7");
        assertThat(ProcSelfStatus.field(status, "Pid")).isNull();
    }

    @Test
    void theHeartbeatReportsThisProcessesResidentMemory() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "Linux only");

        assertThat(Heartbeat.residentBytes()).isGreaterThan(1024 * 1024);
    }
}
