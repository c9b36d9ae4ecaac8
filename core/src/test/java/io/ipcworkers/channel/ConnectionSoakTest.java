package io.ipcworkers.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.OwnThread;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Not part of the suite ({@code mvn -pl core test -Dgroups=soak -Dsoak.excluded=none}): fresh
 * connections, so that batch buffers grow: half of them a stream of small batched frames from one
 * sender, the others one to three senders mixing batched, lingering and written sends, the flush of a
 * caller about to wait, bodies from a few bytes to 3 MiB, and pauses on either side of the idle (5 µs)
 * and linger (1 ms) thresholds; for {@code soak.seconds} (60).
 * Every frame must arrive, in each sender's order, within 5 s, with nothing sent after it: a batch
 * that nobody is left to write fails the test.
 */
@Tag("soak")
class ConnectionSoakTest {

    private static final int MAX_FRAME = 4 << 20;

    @TempDir
    Path directory;

    @Test
    void everyFrameArrivesWithNothingSentAfterIt() throws Exception {
        SoakRounds.repeat("frames", this::round);
    }

    private long round(int round) throws Exception {
        SocketConnection[] pair = RawWire.connectedPair(this.directory, MAX_FRAME);
        SocketConnection sending = pair[0];
        SocketConnection receiving = pair[1];
        try {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            // every other connection: one plain stream of small batched frames, which nothing but the
            // flusher writes until its batch reaches 64 KiB, while its buffer grows from 8 KiB
            boolean plain = random.nextBoolean();
            int senders = plain ? 1 : random.nextInt(1, 4);
            int perSender = random.nextInt(1, 3000);
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                running.add(OwnThread.run(() -> {
                    if (plain) {
                        sendPlainStream(sending, perSender);
                    }
                    else {
                        send(sending, sender, perSender);
                    }
                }));
            }
            int[] next = new int[senders];
            for (long received = 0; received < (long) senders * perSender; received++) {
                Frame frame;
                try {
                    frame = receiving.readFrame(Duration.ofSeconds(5));
                }
                catch (SocketTimeoutException ex) {
                    fail("round %d: frame %d of %d never came (senders done: %s, %d bytes written, %d read)", round,
                            received, senders * perSender, running.stream().map(CompletableFuture::isDone).toList(),
                            sending.bytesWritten(), receiving.bytesRead());
                    return 0;
                }
                int sender = (int) (frame.correlationId() >>> 32);
                assertThat((int) frame.correlationId()).as("round %d, sender %d", round, sender)
                    .isEqualTo(next[sender]++);
            }
            for (CompletableFuture<Void> sender : running) {
                sender.get(10, TimeUnit.SECONDS);
            }
            return (long) senders * perSender;
        }
        finally {
            sending.close();
            receiving.close();
        }
    }

    private static void send(SocketConnection connection, int sender, int count) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            for (int i = 0; i < count; i++) {
                byte[] body = new byte[bodySize(random)];
                long id = ((long) sender << 32) | i;
                int how = random.nextInt(100);
                if (how < 80) {
                    connection.sendBatched(FrameType.MESSAGE, 0, id, FrameWriter.BodyWriter.of(body));
                }
                else if (how < 95) {
                    connection.sendLingering(FrameType.MESSAGE, 0, id, FrameWriter.BodyWriter.of(body));
                }
                else {
                    connection.send(FrameType.MESSAGE, 0, id, FrameWriter.BodyWriter.of(body));
                }
                if (random.nextInt(50) == 0) {
                    connection.flushBeforeWaiting(); // a caller about to wait for an answer
                }
                pause(random);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void sendPlainStream(SocketConnection connection, int count) {
        byte[] body = new byte[ThreadLocalRandom.current().nextInt(0, 40)];
        try {
            for (int i = 0; i < count; i++) {
                connection.sendBatched(FrameType.MESSAGE, 0, i, FrameWriter.BodyWriter.of(body));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static int bodySize(ThreadLocalRandom random) {
        int kind = random.nextInt(1000);
        return (kind < 900) ? random.nextInt(0, 100) : (kind < 998) ? random.nextInt(1000, 100_000)
                : random.nextInt(2 << 20, 3 << 20); // past the 2 MiB a batch buffer keeps
    }

    private static void pause(ThreadLocalRandom random) {
        int kind = random.nextInt(1000);
        if (kind < 900) {
            return;
        }
        LockSupport.parkNanos((kind < 990) ? random.nextLong(1_000, 20_000) : random.nextLong(500_000, 3_000_000));
    }
}
