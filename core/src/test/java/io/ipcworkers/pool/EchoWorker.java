package io.ipcworkers.pool;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.codec.Celsius;
import io.ipcworkers.codec.Reading;

/** A plain (Spring-free) worker used by the pool tests. */
public class EchoWorker {

    public record Job(String name, int size) {
    }

    @IpcListener("echo")
    public Object echo(Object payload) {
        return payload;
    }

    /** Only in the workers of pool "patient"; the other pools' workers do not announce it. */
    @IpcListener(value = "patience", pool = "patient")
    public String patience() {
        return "patient";
    }

    /** Answers asynchronously: the reply is what the future completes with. */
    @IpcListener("later")
    public CompletableFuture<String> later(String text) {
        return CompletableFuture.supplyAsync(() -> {
            LockSupport.parkNanos(50_000_000L);
            return "later " + text;
        });
    }

    @IpcListener("later-fail")
    public CompletableFuture<String> laterFail(String why) {
        return CompletableFuture.supplyAsync(() -> {
            throw new IllegalStateException(why);
        });
    }

    @IpcListener("double")
    public Job doubled(Job job) {
        return new Job(job.name(), job.size() * 2);
    }

    /** Converts only with the Jackson module the default mapper finds on the class path. */
    @IpcListener("warmer")
    public Celsius warmer(Celsius temperature) {
        return Celsius.of(temperature.degrees() + 1);
    }

    @IpcListener("next-reading")
    public Reading nextReading(Reading reading) {
        return new Reading(reading.value() + 1);
    }

    @IpcListener("fail")
    public void fail(String why) {
        throw new IllegalStateException(why);
    }

    /** An error a listener's code may throw without the JVM being in trouble: an assertion, a missing class. */
    @IpcListener("fail-error")
    public void failError(String kind) {
        throw kind.equals("linkage") ? new NoClassDefFoundError("com/example/Missing") : new AssertionError(kind);
    }

    /** Misuses the handle: in a pool worker, messages are the dispatcher's to read. */
    @IpcListener("next")
    public String next(ParentProcess parent) {
        return parent.getNextMessage(Duration.ofMillis(10)).topic();
    }

    @IpcListener("tell")
    public void tell(String text, ParentProcess parent) {
        parent.sendMessage(Message.of("told", text));
    }

    @IpcListener("crash")
    public void crash(int code) {
        Runtime.getRuntime().halt(code);
    }

    @IpcListener("sleep")
    public long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
    }

    @IpcListener("pid")
    public long pid() {
        return ProcessHandle.current().pid();
    }

    /** Asks the parent's listeners; what they answer or send back is told the parent as "heard" (below). */
    @IpcListener("ask-parent")
    public long askParent(String question, ParentProcess parent) {
        parent.sendMessage(Message.of("question", question));
        return ProcessHandle.current().pid();
    }

    @IpcListener({ "question", "note" })
    public void fromParent(String text, Message message, ParentProcess parent) {
        parent.sendMessage(Message.of("heard", ProcessHandle.current().pid() + ":" + message.topic() + ":" + text));
    }

    @IpcListener("introduce")
    public void introduce(ParentProcess parent) {
        parent.sendMessage(Message.of("introduced", ProcessHandle.current().pid()));
    }

    @IpcListener("progress")
    public void progress(int steps, ParentProcess parent, Message message) {
        for (int i = 1; i <= steps; i++) {
            parent.sendMessage(Message.of("step", Map.of("n", i, "of", steps)));
        }
    }
}
