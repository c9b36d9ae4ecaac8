package io.ipcworkers.worker;

import io.ipcworkers.Message;
import io.ipcworkers.channel.FrameSlot;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.MessageSource;
import org.jspecify.annotations.Nullable;

/**
 * The message of the frame a worker handles, made only when a listener takes it or its payload, from a
 * copy of the bytes the frame's slot will use again. One per worker, set again for every frame.
 */
final class ReceivedMessage implements MessageSource {

    private final FrameSlot frame;

    private @Nullable MessageCodec codec;

    private String topic = "";

    private int length;

    private @Nullable Message message;

    ReceivedMessage(FrameSlot frame) {
        this.frame = frame;
    }

    /**
     * For the frame now in the slot, whose message is its body's first {@code length} bytes, with the
     * topic the codec read from them; decoded with the codec the worker uses now (a listener may have
     * changed it).
     */
    void of(MessageCodec codec, String topic, int length) {
        this.codec = codec;
        this.topic = topic;
        this.length = length;
        this.message = null;
    }

    @Override
    public Message message() {
        Message made = this.message;
        if (made == null) {
            MessageCodec codec = this.codec;
            if (codec == null) {
                throw new IllegalStateException("No frame has been received");
            }
            made = codec.decode(this.topic, this.frame.keptBody(this.length), this.length);
            this.message = made;
        }
        return made;
    }
}
