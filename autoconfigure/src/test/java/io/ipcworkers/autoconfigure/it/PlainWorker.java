package io.ipcworkers.autoconfigure.it;

import java.util.Map;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;

/** A plain worker (no Spring in the worker JVM) used by the integration tests. */
public class PlainWorker {

    @IpcListener("resize")
    public Thumbnail resize(ResizeJob job) {
        return new Thumbnail(job.path() + "@" + job.width(), job.width() * 3 / 4, ProcessHandle.current().pid());
    }

    @IpcListener("double")
    public int doubled(int value) {
        return value * 2;
    }

    @IpcListener("fail")
    public void fail(String reason) {
        throw new IllegalArgumentException(reason);
    }

    @IpcListener("crash")
    public void crash(int exitCode) {
        System.err.println("crashing on purpose with " + exitCode);
        Runtime.getRuntime().halt(exitCode);
    }

    @IpcListener("count")
    public void count(int upTo, ParentProcess parent) {
        for (int i = 1; i <= upTo; i++) {
            parent.sendMessage(Message.of("tick", i));
        }
    }

    @IpcListener("whoami")
    public void whoAmI(ParentProcess parent) {
        parent.sendMessage(Message.of("pid", ProcessHandle.current().pid()));
    }

    @IpcListener("emit")
    public void emit(Map<String, Object> message, ParentProcess parent) {
        parent.sendMessage(Message.of((String) message.get("topic"), message.get("payload")));
    }

    @IpcListener("pid")
    public long pid() {
        return ProcessHandle.current().pid();
    }

    /** The parent's listener for "question" returns an answer, which comes back here on the same topic. */
    @IpcListener("question")
    public void answer(String answer, ParentProcess parent) {
        parent.sendMessage(Message.of("answered", Map.of("pid", ProcessHandle.current().pid(), "answer", answer)));
    }
}
