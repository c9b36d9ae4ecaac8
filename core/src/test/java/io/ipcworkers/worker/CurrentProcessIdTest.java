package io.ipcworkers.worker;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class CurrentProcessIdTest {

    @Test
    void isThePidTheOperatingSystemReports() {
        assertThat(CurrentProcessId.get()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void aProcSelfThatNamesNoNumberGivesNoPid(@TempDir Path directory) throws Exception {
        Path notAPid = Files.createDirectory(directory.resolve("self"));

        assertThat(CurrentProcessId.fromProcSelf(notAPid.toFile())).isEqualTo(-1);
        assertThat(CurrentProcessId.fromProcSelf(new File(directory.toFile(), "missing"))).isEqualTo(-1);
    }
}
