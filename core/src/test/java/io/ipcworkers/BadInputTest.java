package io.ipcworkers;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.channel.FrameTooLargeException;
import io.ipcworkers.channel.RawWire;
import io.ipcworkers.worker.ParentWire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** Every kind of bad input gets a clear exception, and the parent and other children are unharmed. */
class BadInputTest {

    private static final CollectingOutput output = new CollectingOutput();

    private static final List<Long> started = new CopyOnWriteArrayList<>();

    private static ProcessManager pm;

    /** A healthy child that answers every message; must keep working whatever the others do. */
    private static ChildProcess echo;

    record Point(int x, int y) {
    }

    static class BrokenGetter {

        public String getValue() {
            throw new IllegalStateException("no value today");
        }
    }

    @BeforeAll
    static void start() {
        pm = ProcessManager.builder().output(output).maxFrameLength(64 * 1024).build();
        pm.onProcessCreate((child) -> started.add(child.getId()));
        echo = pm.runProcess((self, parent) -> {
            while (true) {
                Message message = parent.getNextMessage();
                parent.sendMessage(message);
            }
        });
    }

    @AfterAll
    static void stop() {
        assertEchoStillWorks();
        pm.close();
        Processes.assertAllGone(started, Duration.ofSeconds(5));
    }

    private static void assertEchoStillWorks() {
        echo.sendMessage(Message.of("ping", Map.of("n", 1)));
        assertThat(echo.getNextMessage(Duration.ofSeconds(10)).payload()).isEqualTo(Map.of("n", 1));
    }

    @Test
    void frameWithUnknownTypeIsRejectedAndTheChildStopped() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            ParentWire.writeRaw(parent, RawWire.header(10, 99));
            Thread.sleep(60_000);
        });

        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> child.getNextMessage(Duration.ofSeconds(20)))
            .withMessageContaining("Child " + child.getId())
            .withMessageContaining("unknown frame type 99");
        assertThat(child.onExit().join()).isEqualTo(137);
        assertEchoStillWorks();
    }

    @Test
    void aKnownFrameTypeThatHasNoPlaceBetweenAChildAndItsParentStopsTheChildAndEveryLaterReadSaysWhy() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            ParentWire.writeRaw(parent, RawWire.header(10, 8)); // an ACK: only pool workers send those
            Thread.sleep(60_000);
        });

        IpcProtocolException first = catchThrowableOfType(IpcProtocolException.class,
                () -> child.getNextMessage(Duration.ofSeconds(20)));
        assertThat(first).hasMessage("Child " + child.getId() + " broke the protocol and was stopped: unexpected ACK frame");
        assertThat(child.onExit().join()).isEqualTo(137);
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(child::getNextMessage).isSameAs(first);
        assertEchoStillWorks();
    }

    @Test
    void frameOverTheMaximumIsRefusedBeforeAllocating() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            ParentWire.writeRaw(parent, RawWire.header(Integer.MAX_VALUE, 4));
            Thread.sleep(60_000);
        });

        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> child.getNextMessage(Duration.ofSeconds(20)))
            .withMessageContaining("2147483647 bytes exceeds the maximum frame length of 65536 bytes")
            .withCauseInstanceOf(FrameTooLargeException.class);
        assertEchoStillWorks();
    }

    @Test
    void endOfStreamInTheMiddleOfAFrameIsReportedAsTruncated() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            byte[] header = RawWire.header(100, 4);
            ParentWire.writeRaw(parent, java.util.Arrays.copyOf(header, header.length + 5));
            Runtime.getRuntime().halt(0);
        });

        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> child.getNextMessage(Duration.ofSeconds(20)))
            .withMessageContaining("truncated frame");
    }

    @Test
    void malformedMessageBodyIsRejected() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            // a MESSAGE frame whose topic length points past the end of the body
            byte[] header = RawWire.header(10 + 2, 4);
            byte[] frame = java.util.Arrays.copyOf(header, header.length + 2);
            frame[frame.length - 2] = (byte) 0x7F;
            ParentWire.writeRaw(parent, frame);
            Thread.sleep(60_000);
        });

        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> child.getNextMessage(Duration.ofSeconds(20)))
            .withMessageContaining("topic length");
    }

    @Test
    void connectionWithAWrongTokenIsRefusedAndOthersUnaffected() throws Exception {
        ChildProcess child = pm.runProcess((self, parent) -> parent.getNextMessage());
        java.nio.file.Path socket = pm.socketPath();
        assertThat(java.nio.file.Files.getPosixFilePermissions(socket.getParent()))
            .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                    java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);

        try (SocketChannel intruder = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            byte[] hello = helloFrame(ProcessHandle.current().pid(), "0".repeat(64));
            intruder.write(ByteBuffer.wrap(hello));
            ByteBuffer answer = ByteBuffer.allocate(16);
            assertThat(intruder.read(answer)).as("connection closed by the parent").isEqualTo(-1);
        }
        child.sendMessage(Message.of("done", null));
        assertThat(child.onExit().join()).isZero();
        assertThat(ProcessHandle.of(child.getId())).isEmpty();
    }

    @Test
    void aConnectionAnnouncingALargeFirstFrameIsRefusedAtOnce() throws Exception {
        try (SocketChannel intruder = SocketChannel.open(UnixDomainSocketAddress.of(pm.socketPath()))) {
            // a HELLO of 60,000 bytes (under this manager's 64 KiB frame limit), its body never sent: refused
            // on its length, not allocated and waited for until the handshake times out after 10 s
            intruder.write(ByteBuffer.wrap(RawWire.header(60_000, 1)));
            CompletableFuture<Integer> closed = OwnThread.supply(() -> {
                try {
                    return intruder.read(ByteBuffer.allocate(16));
                }
                catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
            assertThat(closed.get(5, TimeUnit.SECONDS)).as("connection closed by the parent").isEqualTo(-1);
        }
        assertEchoStillWorks();
    }

    @Test
    void connectionsThatNeverHandshakeAreBoundedAndChildrenStillStartMeanwhile() throws Exception {
        int bound = 16; // ChannelServer.MAX_UNEXPECTED_HANDSHAKES, with no child expected
        List<SocketChannel> strangers = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                SocketChannel stranger = SocketChannel.open(UnixDomainSocketAddress.of(pm.socketPath()));
                stranger.configureBlocking(false);
                strangers.add(stranger); // sends nothing: each would hold a handshake for 10 s
            }

            // within 5 s: before any of them could have been closed for its 10 s handshake timeout
            await().atMost(Duration.ofSeconds(5)).until(() -> closedByTheParent(strangers) == 100 - bound);
            assertThat(Thread.getAllStackTraces().keySet().stream().filter((t) -> t.getName().equals("ipc-handshake")))
                .hasSizeLessThanOrEqualTo(bound);
            ChildProcess child = pm.runProcess((self, parent) -> parent.sendMessage(Message.of("up", null)));
            assertThat(child.getNextMessage(Duration.ofSeconds(20)).topic()).isEqualTo("up");
            assertThat(child.onExit().join()).isZero();
        }
        finally {
            for (SocketChannel stranger : strangers) {
                stranger.close();
            }
        }
        assertEchoStillWorks();
    }

    private static long closedByTheParent(List<SocketChannel> channels) throws java.io.IOException {
        long closed = 0;
        for (SocketChannel channel : channels) {
            if (channel.read(ByteBuffer.allocate(1)) < 0) {
                closed++;
            }
        }
        return closed;
    }

    @Test
    void tokenAndSocketPathNeverAppearOnTheChildsCommandLine() {
        ChildProcess child = pm.runProcess((self, parent) -> parent.getNextMessage());
        String commandLine = ProcessHandle.of(child.getId()).orElseThrow().info().commandLine().orElse("");

        assertThat(commandLine).contains("io.ipcworkers.launch.WorkerMain").doesNotContain(pm.socketPath().toString())
            .doesNotContain("ipcw-");
        child.sendMessage(Message.of("done", null));
        assertThat(child.onExit().join()).isZero();
    }

    private static byte[] helloFrame(long pid, String token) {
        byte[] tokenBytes = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int bodyLength = 8 + 2 + tokenBytes.length;
        ByteBuffer frame = ByteBuffer.allocate(4 + 10 + bodyLength);
        frame.putInt(10 + bodyLength).put((byte) 1).put((byte) 0).putLong(0);
        frame.putLong(pid).putShort((short) tokenBytes.length).put(tokenBytes);
        return frame.array();
    }

    @Test
    void outputWithoutNewlinesReachesTheParentCutAndIsNotHeldUntilTheLineEnds() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            System.out.print("endless:" + "x".repeat(1 << 20)); // 1 MiB, and no newline for now
            System.out.flush();
            parent.getNextMessage();
        });

        String cut = "endless:" + "x".repeat(8192 - "endless:".length()) + "... (truncated)";
        await().atMost(Duration.ofSeconds(20))
            .until(() -> output.lines.stream().anyMatch((line) -> line.endsWith(cut)));
        assertThat(child.isAlive()).isTrue();
        child.sendMessage(Message.of("done", null));
        assertThat(child.onExit().join()).isZero();
    }

    @Test
    void payloadThatDoesNotConvertNamesTopicAndType() {
        ChildProcess child = pm.runProcess((self, parent) -> parent.sendMessage(Message.of("point", Map.of("x", "left"))));
        Message message = child.getNextMessage(Duration.ofSeconds(20));

        assertThatExceptionOfType(PayloadConversionException.class).isThrownBy(() -> message.payloadAs(Point.class))
            .withMessageContaining("'point'")
            .withMessageContaining(Point.class.getName())
            .withMessageContaining("not a valid `int` value");
        assertThat(message.payload()).isEqualTo(Map.of("x", "left"));
    }

    @Test
    void childThatDiesWhileTheParentWaitsEndsTheWaitWithItsExitCode() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            System.err.println("about to die");
            Runtime.getRuntime().halt(42);
        });

        assertThatExceptionOfType(ProcessExitedException.class).isThrownBy(child::getNextMessage)
            .withMessageContaining("Child " + child.getId() + " exited with code 42")
            .withMessageContaining("about to die")
            .satisfies((ex) -> {
                assertThat(ex.getExitCode()).isEqualTo(42);
                assertThat(ex.getPid()).isEqualTo(child.getId());
            });
    }

    @Test
    void sendingToAnExitedChildNamesItsExitCode() {
        ChildProcess child = pm.runProcess((self, parent) -> Runtime.getRuntime().halt(5));
        child.onExit().join();

        assertThatExceptionOfType(ProcessExitedException.class).isThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                child.sendMessage(Message.of("late", "x".repeat(10_000)));
            }
        }).withMessageContaining("exited with code 5");
    }

    @Test
    void taskThatIsNotSerializableIsRefusedBeforeAJvmStarts() {
        Object notSerializable = new Object();
        List<ChildProcess> before = pm.getRunningProcesses(); // children of earlier tests may still be exiting

        assertThatIllegalArgumentException().isThrownBy(() -> pm.runProcess((self, parent) -> notSerializable.hashCode()))
            .withMessageContaining("is not serializable")
            .withMessageContaining("java.lang.Object");
        assertThat(pm.getRunningProcesses()).isSubsetOf(before);
    }

    @Test
    void taskLargerThanTheMaximumFrameIsRefusedBeforeAJvmStarts() {
        byte[] captured = new byte[100_000];
        List<ChildProcess> before = pm.getRunningProcesses(); // children of earlier tests may still be exiting

        assertThatIllegalArgumentException().isThrownBy(() -> pm.runProcess((self, parent) -> parent.sendMessage(
                Message.of("size", captured.length))))
            .withMessageContaining("serializes to")
            .withMessageContaining("maximum frame length of 65536 bytes");
        assertThat(pm.getRunningProcesses()).isSubsetOf(before);
    }

    @Test
    void outgoingMessageOverTheMaximumFailsAndTheConnectionStaysUsable() {
        assertThatExceptionOfType(FrameTooLargeException.class)
            .isThrownBy(() -> echo.sendMessage(Message.of("big", "x".repeat(100_000))))
            .withMessageContaining("maximum frame length of 65536");
        assertEchoStillWorks();
    }

    @Test
    void payloadThatCannotBeWrittenAsJsonFailsBeforeSending() {
        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> echo.sendMessage(Message.of("broken", new BrokenGetter())))
            .withMessageContaining("'broken'")
            .withMessageContaining(BrokenGetter.class.getName());
        assertEchoStillWorks();
    }

    @Test
    void aCheckedExceptionAPayloadsSerializerThrowsUndeclaredFailsThatSendAloneNotTheChild() {
        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> echo.sendMessage(Message.of("sneaky", new ThrowsUndeclared())))
            .withMessageContaining("'sneaky'")
            .withMessageEndingWith("its serializer threw java.io.IOException: disk full");
        assertEchoStillWorks();
    }

    @Test
    void aMessageSentFromInsideAPayloadsSerializerIsRefusedAndTheConnectionStaysUsable() {
        SendsWhileWritten carriesOn = new SendsWhileWritten(false);
        echo.sendMessage(Message.of("outer", carriesOn));
        assertThat(carriesOn.refusal).endsWith("the frame would be split");
        Message back = echo.getNextMessage(Duration.ofSeconds(10));
        assertThat(back.topic()).isEqualTo("outer");
        assertThat(back.payload()).isEqualTo(Map.of("value", "written"));

        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> echo.sendMessage(Message.of("outer", new SendsWhileWritten(true))))
            .withMessageContaining("the frame would be split");
        assertEchoStillWorks();
    }

    /** A payload whose getter sends a message to {@link #echo} while the payload is written to it. */
    static class SendsWhileWritten {

        private final boolean letsTheRefusalOut;

        volatile String refusal = "not refused";

        SendsWhileWritten(boolean letsTheRefusalOut) {
            this.letsTheRefusalOut = letsTheRefusalOut;
        }

        public String getValue() {
            try {
                echo.sendMessage(Message.of("inner", 1));
            }
            catch (IllegalStateException ex) {
                this.refusal = ex.getMessage();
                if (this.letsTheRefusalOut) {
                    throw ex;
                }
            }
            return "written";
        }
    }

    @Test
    void timeoutsWrittenAsForeverWaitOnBothSides() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            Message go = parent.getNextMessage(Duration.ofSeconds(Long.MAX_VALUE));
            parent.sendMessage(Message.of("went", go.topic()));
        });

        child.sendMessage(Message.of("go", null));
        assertThat(child.getNextMessage(Duration.ofMillis(Long.MAX_VALUE)).payload()).isEqualTo("go");
        assertThat(child.onExit().join()).isZero();
    }

    @Test
    void waitWithATimeoutEndsWithoutLosingTheLateMessage() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            parent.getNextMessage();
            parent.sendMessage(Message.of("late", 1));
        });

        assertThatExceptionOfType(IpcTimeoutException.class).isThrownBy(() -> child.getNextMessage(Duration.ofMillis(200)))
            .withMessageContaining("No message from child " + child.getId());
        child.sendMessage(Message.of("go", null));
        assertThat(child.getNextMessage(Duration.ofSeconds(10)).topic()).isEqualTo("late");
    }

    @Test
    void anInterruptedWaitEndsAtOnceAndTheChildStaysUsable() {
        ChildProcess child = pm.runProcess((self, parent) -> {
            Thread.currentThread().interrupt();
            try {
                parent.getNextMessage();
            }
            catch (IpcException ex) {
                Thread.interrupted();
                parent.sendMessage(Message.of("child", ex.getMessage()));
            }
            parent.getNextMessage();
            parent.sendMessage(Message.of("after", 1));
        });
        assertThat(child.getNextMessage(Duration.ofSeconds(20)).payload())
            .isEqualTo("Interrupted while waiting for a message from the parent");

        Thread.currentThread().interrupt();
        try {
            // a selector returns at once for an interrupted thread: this used to spin until a message came
            assertThatExceptionOfType(IpcException.class).isThrownBy(child::getNextMessage)
                .withMessage("Interrupted while waiting for a message from child " + child.getId());
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        }
        finally {
            Thread.interrupted();
        }
        child.sendMessage(Message.of("go", null));
        assertThat(child.getNextMessage(Duration.ofSeconds(10)).topic()).isEqualTo("after");
        assertThat(child.onExit().join()).isZero();
    }
}
