package io.ipcworkers.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.RawWire;
import io.ipcworkers.codec.MessageIds;
import io.ipcworkers.worker.ParentWire;

/** A plain worker that misbehaves on request, for the fault-injection suite. */
public class FaultyWorker {

    private static final List<byte[]> retained = new ArrayList<>();

    private long count;

    private long sum;

    /**
     * With {@code -Dfaulty.start-gate=FILE}, each start is recorded in {@code FILE.starts}, and a start
     * fails if the file says {@code fail}, never ends if it says {@code hang}, and waits while it says
     * {@code hold}.
     */
    public FaultyWorker() throws Exception {
        String gate = System.getProperty("faulty.start-gate");
        if (gate != null) {
            passStartGate(Path.of(gate));
        }
    }

    private static void passStartGate(Path gate) throws Exception {
        Files.writeString(gate.resolveSibling(gate.getFileName() + ".starts"), ProcessHandle.current().pid() + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        String mode = Files.exists(gate) ? Files.readString(gate).trim() : "open";
        if (mode.equals("fail")) {
            throw new IllegalStateException("start refused by the test's gate");
        }
        if (mode.equals("hang")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        while (mode.equals("hold")) {
            Thread.sleep(20);
            mode = Files.readString(gate).trim();
        }
    }

    @IpcListener("pid")
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @IpcListener("sleep")
    public long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
    }

    @IpcListener("spin")
    public void spin() {
        while (!Thread.currentThread().isInterrupted()) {
            Thread.onSpinWait();
        }
    }

    /** Starts a shell that starts a sleep of its own, and leaves it running; the shell's pid. */
    @IpcListener("spawn")
    public long spawn() throws java.io.IOException {
        return new ProcessBuilder("sh", "-c", "sleep 300 & wait").start().pid();
    }

    /**
     * Starts a sleep in a shell that exits at once, so that the sleep (a daemon of sorts) leaves this
     * worker's process tree for init's; this worker's pid and the sleep's.
     */
    @IpcListener("detach")
    public List<Long> detach() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 300 > /dev/null 2>&1 & echo $!").start();
        long sleep = Long.parseLong(new String(shell.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
        return List.of(ProcessHandle.current().pid(), sleep);
    }

    /** Starts a shell that starts a sleep of its own, tells the parent the shell's pid, then spins. */
    @IpcListener("spawn-and-spin")
    public void spawnAndSpin(ParentProcess parent) throws java.io.IOException {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
        parent.sendMessage(Message.of("spawned", shell.pid()));
        spin();
    }

    @IpcListener("allocate")
    public void allocateUntilOutOfMemory() {
        List<long[]> hog = new ArrayList<>();
        while (true) {
            hog.add(new long[1 << 20]);
        }
    }

    @IpcListener("retain")
    public void retain(int megabytes) {
        for (int i = 0; i < megabytes; i++) {
            retained.add(new byte[1 << 20]);
        }
    }

    @IpcListener("garbage")
    public void garbage(ParentProcess parent) throws Exception {
        ParentWire.writeRaw(parent, RawWire.header(10, 77));
        Thread.sleep(60_000);
    }

    @IpcListener("oversized")
    public void oversized(ParentProcess parent) throws Exception {
        ParentWire.writeRaw(parent, RawWire.header(Integer.MAX_VALUE - 1, 4));
        Thread.sleep(60_000);
    }

    @IpcListener("acknowledge-unknown")
    public void acknowledgeUnknown(ParentProcess parent) throws Exception {
        ParentWire.writeRaw(parent, RawWire.header(Frame.HEADER_AFTER_LENGTH, 8)); // an ACK of message 0, never sent
        Thread.sleep(60_000);
    }

    /** Answers the pool's first message (correlation id 1) with an ERROR whose body is no error description. */
    @IpcListener("leave-unnamed")
    public void leaveUnnamed(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.LEAVE, 0, "TERM; rm -rf".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Thread.sleep(60_000);
    }

    @IpcListener("unreadable-error")
    public void unreadableError(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.ERROR, 1, Message.of("unreadable-error", List.of("not", "an", "error")));
        Thread.sleep(60_000);
    }

    /**
     * Answers the pool's first two requests (correlation ids 1 and 2, both sent to this worker) itself,
     * the second first, once the file named by the payload exists; then takes no further message.
     */
    @IpcListener("answer-swapped")
    public void answerSwapped(String go, ParentProcess parent) throws Exception {
        while (!Files.exists(Path.of(go))) {
            Thread.sleep(10);
        }
        ParentWire.sendFrame(parent, FrameType.REPLY, 2, Message.of("answer-swapped", "answer to 2"));
        ParentWire.sendFrame(parent, FrameType.REPLY, 1, Message.of("answer-swapped", "answer to 1"));
        Thread.sleep(60_000);
    }

    /** Answers the pool's first message (correlation id 1) twice. */
    @IpcListener("answer-twice")
    public void answerTwice(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.REPLY, 1, Message.of("answer-twice", "answer to 1"));
        ParentWire.sendFrame(parent, FrameType.REPLY, 1, Message.of("answer-twice", "another answer to 1"));
        Thread.sleep(60_000);
    }

    /** Announces itself again, with more topics than the parent keeps for a worker. */
    @IpcListener("announce-many")
    public void announceMany(ParentProcess parent) throws Exception {
        List<String> topics = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            topics.add("t" + i);
        }
        ParentWire.sendFrame(parent, FrameType.READY, 0, Message.of("ready", Map.of("topics", topics)));
        Thread.sleep(60_000);
    }

    /** Announces itself again, in a READY frame larger than the parent reads. */
    @IpcListener("announce-big")
    public void announceBig(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.READY, 0, Message.of("ready", Map.of("topics", List.of("x".repeat(1 << 20)))));
        Thread.sleep(60_000);
    }

    /** Sends a frame that only ever goes from the parent to a worker. */
    @IpcListener("out-of-place")
    public void outOfPlace(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.REQUEST, 1, Message.of("asking", null));
        Thread.sleep(60_000);
    }

    /** Gives back its own message (correlation id 1, the pool's first), which the parent never revoked. */
    @IpcListener("give-back-unasked")
    public void giveBackUnasked(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.REVOKED, 0, MessageIds.encode(new long[] { 1 }));
        Thread.sleep(60_000);
    }

    /** Announces itself again, without the list of topics a READY frame carries. */
    @IpcListener("announce-nothing")
    public void announceNothing(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.READY, 0, Message.of("ready", Map.of("topics", "echo")));
        Thread.sleep(60_000);
    }

    /** Sends a message flagged as having headers whose block claims more bytes than the body has. */
    @IpcListener("bad-headers")
    public void badHeaders(ParentProcess parent) throws Exception {
        byte[] topic = "echo".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = { 0, (byte) topic.length, 'e', 'c', 'h', 'o', '1', 0x7F, (byte) 0xFF };
        ParentWire.sendFrame(parent, FrameType.MESSAGE, io.ipcworkers.channel.Frame.FLAG_HEADERS, body);
        Thread.sleep(60_000);
    }

    /** Announces itself again, as a worker already ready never does. */
    @IpcListener("announce-again")
    public void announceAgain(ParentProcess parent) throws Exception {
        ParentWire.sendFrame(parent, FrameType.READY, 0, Message.of("ready", Map.of("topics", List.of("echo"))));
        Thread.sleep(60_000);
    }

    /** Streams messages to the parent from one listener call, reading nothing meanwhile. */
    @IpcListener("stream")
    public void stream(int messages, ParentProcess parent) {
        sendNumbered(parent, "streamed", messages);
    }

    /** The same stream on a topic whose parent listener sends the worker a message for each. */
    @IpcListener("stream-told")
    public void streamTold(int messages, ParentProcess parent) {
        sendNumbered(parent, "told", messages);
    }

    /**
     * Once the file named exists, closes its socket and lingers three seconds before its JVM ends with
     * exit code 42: as a JVM asked to exit that writes its class data archive on its way out does.
     */
    @IpcListener("linger-after-close")
    public void lingerAfterClose(String go, ParentProcess parent) throws InterruptedException {
        Path file = Path.of(go);
        while (!Files.exists(file)) {
            Thread.sleep(10);
        }
        ParentWire.closeSocket(parent);
        Thread.sleep(3_000);
        Runtime.getRuntime().halt(42);
    }

    @IpcListener("close-socket")
    public void closeSocketAndStayAlive(ParentProcess parent) {
        ParentWire.closeSocket(parent);
        LockSupport.parkNanos(60_000_000_000L);
    }

    /**
     * The parent can no longer write to this worker, which lives on and goes on heartbeating; it tells
     * the parent when it has stopped reading ({@code noted} 0).
     */
    @IpcListener("stop-reading")
    public void stopReadingAndStayAlive(ParentProcess parent) {
        ParentWire.shutdownInput(parent);
        parent.sendMessage(Message.of("noted", 0));
        LockSupport.parkNanos(60_000_000_000L);
    }

    /** Tells the parent it ran, then answers. */
    @IpcListener("note")
    public int note(int n, ParentProcess parent) {
        parent.sendMessage(Message.of("noted", n));
        return n;
    }

    @IpcListener("poison")
    public void poison(String why) {
        System.err.println("poisoned by " + why);
        Runtime.getRuntime().halt(13);
    }

    /** A poison message that takes a while to kill: what is sent after it queues up behind it. */
    @IpcListener("poison-later")
    public void poisonLater(String why) throws InterruptedException {
        Thread.sleep(200);
        poison(why);
    }

    /** A slow consumer: a little CPU per message, then counts it. */
    @IpcListener("work")
    public void work(long value) {
        long until = System.nanoTime() + 5_000;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        this.count++;
        this.sum += value;
    }

    @IpcListener("report")
    public void report(ParentProcess parent) {
        parent.sendMessage(Message.of("counted", Map.of("pid", ProcessHandle.current().pid(), "count", this.count,
                "sum", this.sum)));
    }

    @IpcListener("flood")
    public void flood(int messages, ParentProcess parent) {
        sendNumbered(parent, "flooded", messages);
    }

    /** Sends {@code messages} messages on the topic, numbered from 0, reading nothing meanwhile. */
    private static void sendNumbered(ParentProcess parent, String topic, int messages) {
        for (int i = 0; i < messages; i++) {
            parent.sendMessage(Message.of(topic, i));
        }
    }

    @IpcListener("flood-bulky")
    public void floodBulky(int messages, ParentProcess parent) {
        String half = "x".repeat(512 * 1024);
        for (int i = 0; i < messages; i++) {
            parent.sendMessage(Message.of("bulky", half));
        }
    }

    @IpcListener("spray")
    public void spray(int topics, ParentProcess parent) {
        for (int i = 0; i < topics; i++) {
            parent.sendMessage(Message.of("sprayed-" + i, i)); // a new topic each time, none with a listener
        }
        parent.sendMessage(Message.of("flooded", 1));
    }

    @IpcListener("echo")
    public Object echo(Object payload) {
        return payload;
    }

}
