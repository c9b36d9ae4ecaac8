package io.ipcworkers.launch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes of 128 + n name signal n, and what tends to send the usual ones. */
class ExitCodesTest {

    @Test
    void anExitCodeOfTheProgramsOwnIsItsNumber() {
        assertThat(ExitCodes.describe(0)).isEqualTo("exited with code 0");
        assertThat(ExitCodes.describe(1)).isEqualTo("exited with code 1");
        assertThat(ExitCodes.describe(128)).isEqualTo("exited with code 128");
        assertThat(ExitCodes.describe(200)).isEqualTo("exited with code 200");
        assertThat(ExitCodes.describe(-1)).isEqualTo("exited with code -1");
    }

    @Test
    void aDeathBySignalNamesTheSignal() {
        assertThat(ExitCodes.describe(137))
            .isEqualTo("exited with code 137 (SIGKILL, as from kill -9 or the kernel's out-of-memory killer)");
        assertThat(ExitCodes.describe(134)).isEqualTo("exited with code 134 (SIGABRT, as when the JVM aborts after a "
                + "crash in native code: look for its hs_err_pid file)");
        assertThat(ExitCodes.describe(143)).isEqualTo("exited with code 143 (SIGTERM, as from kill or a stop of the container)");
        assertThat(ExitCodes.describe(129)).isEqualTo("exited with code 129 (SIGHUP)");
        assertThat(ExitCodes.describe(141)).isEqualTo("exited with code 141 (SIGPIPE)");
        assertThat(ExitCodes.describe(150)).isEqualTo("exited with code 150");
    }
}
