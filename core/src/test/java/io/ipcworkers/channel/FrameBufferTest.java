package io.ipcworkers.channel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FrameBufferTest {

    @Test
    void aLargeBodyWrittenInOnePieceLeavesRoomForTheBytesAfterItAndTheBufferIsKeptForTheNextBatch() {
        FrameWriter.FrameBuffer batch = new FrameWriter.FrameBuffer();
        batch.write(new byte[14], 0, 14); // a frame header
        batch.write(new byte[1 << 20], 0, 1 << 20); // a long string's bytes, in one piece
        batch.write('"'); // and its closing quote
        assertThat(batch.capacity()).isEqualTo(2 << 20); // grown to fit exactly, that byte would have doubled it past 2 MiB

        batch.truncate(0);
        batch.shrinkIfHuge();
        assertThat(batch.capacity()).isEqualTo(2 << 20);
    }

    @Test
    void aFrameOverTheRetainedSizeDoesNotPinItsBufferAfterItWasWritten() {
        FrameWriter.FrameBuffer batch = new FrameWriter.FrameBuffer();
        batch.write(new byte[(2 << 20) + 1], 0, (2 << 20) + 1);
        assertThat(batch.capacity()).isEqualTo(4 << 20);

        batch.truncate(0);
        batch.shrinkIfHuge();
        assertThat(batch.capacity()).isLessThan(64 * 1024);
    }
}
