package io.ipcworkers.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The baseline: what {@code shared/bench/JavaUdsRaw.java} does by hand, as a class of our own so the
 * micro-benchmarks and the warm one-way figure can run it. A 4-byte length
 * and {@code {"topic":…,"payload":…}} as UTF-8 text built by string concatenation; blocking NIO with
 * direct buffers; writes batched until the buffer is full or the caller flushes.
 */
public final class RawChannel implements AutoCloseable {

    private final SocketChannel channel;

    private ByteBuffer in = ByteBuffer.allocateDirect(1 << 16).flip();

    private final ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);

    public RawChannel(SocketChannel channel) throws IOException {
        channel.configureBlocking(true);
        this.channel = channel;
    }

    public static byte[] message(String topic, String payloadJson) {
        return ("{\"topic\":\"" + topic + "\",\"payload\":" + payloadJson + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static String topicOf(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int start = text.indexOf("\"topic\":\"") + 9;
        return text.substring(start, text.indexOf('"', start));
    }

    public byte[] read() throws IOException {
        fill(4);
        int length = this.in.getInt();
        if (length > this.in.capacity()) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(length + 4);
            bigger.put(this.in).flip();
            this.in = bigger;
        }
        fill(length);
        byte[] message = new byte[length];
        this.in.get(message);
        return message;
    }

    private void fill(int needed) throws IOException {
        if (this.in.remaining() >= needed) {
            return;
        }
        this.in.compact();
        while (this.in.position() < needed) {
            if (this.channel.read(this.in) < 0) {
                throw new IOException("end of stream");
            }
        }
        this.in.flip();
    }

    /** Buffers a message; writes only when the buffer is full. One larger than the buffer goes out at once, as the raw program's. */
    public void write(byte[] message) throws IOException {
        if (this.out.remaining() < 4 + message.length) {
            flush();
        }
        if (this.out.remaining() < 4 + message.length) {
            ByteBuffer[] parts = { ByteBuffer.allocate(4).putInt(message.length).flip(), ByteBuffer.wrap(message) };
            while (parts[1].hasRemaining()) {
                this.channel.write(parts);
            }
            return;
        }
        this.out.putInt(message.length).put(message);
    }

    public void flush() throws IOException {
        this.out.flip();
        while (this.out.hasRemaining()) {
            this.channel.write(this.out);
        }
        this.out.clear();
    }

    public void send(byte[] message) throws IOException {
        write(message);
        flush();
    }

    @Override
    public void close() throws IOException {
        this.channel.close();
    }
}
