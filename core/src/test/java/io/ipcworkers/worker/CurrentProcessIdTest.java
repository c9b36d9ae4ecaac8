package io.ipcworkers.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CurrentProcessIdTest {

    @Test
    void isThePidTheOperatingSystemReports() {
        assertThat(CurrentProcessId.get()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void inANestedPidNamespaceItIsThePidThere() {
        String status = "\nName:\tjava\nPid:\t48213\nPPid:\t48200\nNSpid:\t48213\t7\nNSpgid:\t48213\t7\n";

        assertThat(CurrentProcessId.fromStatus(status)).isEqualTo(7);
    }

    @Test
    void aStatusWithoutNamespacePidsGivesNone() {
        assertThat(CurrentProcessId.fromStatus("\nName:\tjava\nPid:\t48213\n")).isEqualTo(-1);
        assertThat(CurrentProcessId.fromStatus("\nNSpid:\tx\n")).isEqualTo(-1);
        assertThat(CurrentProcessId.fromStatus("\nNSpid:")).isEqualTo(-1);
    }
}
