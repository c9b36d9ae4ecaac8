package io.ipcworkers.launch;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class StaleChannelDirectoriesTest {

    @TempDir
    Path tmp;

    private Path ours;

    private long deadPid;

    @BeforeEach
    void createOurDirectoryAndFindADeadPid() throws Exception {
        this.ours = Files.createDirectory(this.tmp.resolve(StaleChannelDirectories.prefixForThisProcess() + "1"));
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        this.deadPid = exited.pid(); // reaped by waitFor: no process has this pid now
        assertThat(ProcessHandle.of(this.deadPid)).isEmpty();
    }

    @Test
    void directoryOfAParentThatIsGoneIsRemovedWithItsSocketAndArgumentFile() throws Exception {
        Path stale = directoryOf(this.deadPid);
        leaveStaleSocket(stale.resolve("s"));
        Files.writeString(stale.resolve("classpath.args"), "-cp x");

        assertThat(StaleChannelDirectories.sweepBeside(this.ours)).isEqualTo(1);
        assertThat(stale).doesNotExist();
        assertThat(this.ours).isDirectory();
    }

    @Test
    void directoryWithoutSocketOfAParentThatIsGoneIsRemoved() throws Exception {
        Path stale = directoryOf(this.deadPid);

        assertThat(StaleChannelDirectories.sweepBeside(this.ours)).isEqualTo(1);
        assertThat(stale).doesNotExist();
    }

    @Test
    void directoryOfARunningParentIsKept() throws Exception {
        long running = ProcessHandle.current().parent().orElseThrow().pid();
        Path live = directoryOf(running);
        leaveStaleSocket(live.resolve("s"));

        assertThat(StaleChannelDirectories.sweepBeside(this.ours)).isZero();
        assertThat(live.resolve("s")).exists();
    }

    @Test
    void directoryWhoseSocketStillAcceptsIsKeptEvenWhenItsPidIsUnknownHere() throws Exception {
        Path otherNamespace = directoryOf(this.deadPid);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(otherNamespace.resolve("s")));

            assertThat(StaleChannelDirectories.sweepBeside(this.ours)).isZero();
            assertThat(otherNamespace.resolve("s")).exists();
        }
    }

    @Test
    void namesOfOtherShapesAreNotTouched() throws Exception {
        Path noPid = Files.createDirectory(this.tmp.resolve(StaleChannelDirectories.PREFIX + "abc-1"));
        Path oldStyle = Files.createDirectory(this.tmp.resolve(StaleChannelDirectories.PREFIX + "123456"));
        Path file = Files.writeString(this.tmp.resolve(StaleChannelDirectories.PREFIX + this.deadPid + "-2"), "x");

        assertThat(StaleChannelDirectories.sweepBeside(this.ours)).isZero();
        assertThat(noPid).isDirectory();
        assertThat(oldStyle).isDirectory();
        assertThat(file).isRegularFile();
    }

    @Test
    void pidIsReadFromTheName() {
        assertThat(StaleChannelDirectories.pidOf("ipcw-4242-998877")).hasValue(4242);
        assertThat(StaleChannelDirectories.pidOf("ipcw-4242")).isEmpty();
        assertThat(StaleChannelDirectories.pidOf("ipcw--1")).isEmpty();
        assertThat(StaleChannelDirectories.pidOf("other-4242-1")).isEmpty();
    }

    private Path directoryOf(long pid) throws Exception {
        return Files.createDirectory(this.tmp.resolve(StaleChannelDirectories.PREFIX + pid + "-77"));
    }

    /** A socket file nobody listens on any more, as a killed parent leaves it. */
    private static void leaveStaleSocket(Path socket) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
    }
}
