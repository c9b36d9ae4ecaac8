package io.ipcworkers.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class BootstrapTest {

    @Test
    void everythingWrittenIsReadBack() throws IOException {
        Bootstrap written = new Bootstrap(Path.of("/tmp/ipcw-1-x/s"), "token", 1 << 20, 4242L, new byte[] { 1, 2, 3 });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        written.writeTo(out);

        Bootstrap read = Bootstrap.readFrom(new ByteArrayInputStream(out.toByteArray()));

        assertThat(read.socketPath()).isEqualTo(written.socketPath());
        assertThat(read.token()).isEqualTo("token");
        assertThat(read.maxFrameLength()).isEqualTo(1 << 20);
        assertThat(read.parentPid()).isEqualTo(4242L);
        assertThat(read.task()).containsExactly(1, 2, 3);
    }

    @Test
    void somethingElseOnStdinIsRefusedWithAHint() {
        byte[] typedByHand = "hello, anyone there?\n".getBytes();
        byte[] shortLine = "hi\n".getBytes();

        assertThatIOException().isThrownBy(() -> Bootstrap.readFrom(new ByteArrayInputStream(typedByHand)))
            .withMessageContaining("started by ProcessManager, not by hand");
        assertThatIOException().isThrownBy(() -> Bootstrap.readFrom(new ByteArrayInputStream(shortLine)))
            .withMessageContaining("started by ProcessManager, not by hand");
    }

    @Test
    void aTaskLongerThanTheFrameLimitIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Bootstrap(Path.of("/tmp/s"), "token", 2, 1L, new byte[] { 1, 2, 3 }).writeTo(out);

        assertThatIOException().isThrownBy(() -> Bootstrap.readFrom(new ByteArrayInputStream(out.toByteArray())))
            .withMessageContaining("a task of 3 bytes");
    }
}
