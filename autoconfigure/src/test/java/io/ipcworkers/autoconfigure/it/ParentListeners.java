package io.ipcworkers.autoconfigure.it;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import org.springframework.stereotype.Component;

/** The parent's listeners for messages from workers; records what arrives for the tests to check. */
@Component
public class ParentListeners {

    final Map<Long, List<Integer>> ticksByWorker = new ConcurrentHashMap<>();

    final List<Long> pids = new CopyOnWriteArrayList<>();

    final List<Integer> doubled = new CopyOnWriteArrayList<>();

    final List<String> greeted = new CopyOnWriteArrayList<>();

    final List<String> fromSpringPoolOnly = new CopyOnWriteArrayList<>();

    final Map<Long, String> answered = new ConcurrentHashMap<>();

    volatile CountDownLatch releaseSlow = new CountDownLatch(0);

    volatile boolean slowRunning;

    @IpcListener(topics = "tick", pool = "plain")
    public void tick(int value, ChildProcess sender) {
        this.ticksByWorker.computeIfAbsent(sender.getId(), (pid) -> new CopyOnWriteArrayList<>()).add(value);
    }

    @IpcListener("pid")
    public void pid(long pid, ChildProcess sender) {
        if (pid != sender.getId()) {
            throw new IllegalStateException("sender " + sender.getId() + " reported pid " + pid);
        }
        this.pids.add(pid);
    }

    /** What a worker's listener returned for a plain send comes back on the same topic. */
    @IpcListener("double")
    public void doubled(int value) {
        this.doubled.add(value);
    }

    @IpcListener("greeted")
    public void greeted(Message message) {
        this.greeted.add(message.payloadAs(String.class));
    }

    @IpcListener(topics = "greeted", pool = "spring")
    public void greetedBySpringPool(String name) {
        this.fromSpringPoolOnly.add(name);
    }

    @IpcListener("question")
    public String question(String question) {
        return "answer to " + question;
    }

    @IpcListener("answered")
    public void answered(Map<String, Object> answer) {
        this.answered.put(((Number) answer.get("pid")).longValue(), (String) answer.get("answer"));
    }

    @IpcListener("slow")
    public void slow() throws InterruptedException {
        this.slowRunning = true;
        try {
            this.releaseSlow.await();
        }
        finally {
            this.slowRunning = false;
        }
    }

    @IpcListener("bad-listener")
    public void badListener() {
        throw new IllegalStateException("parent listener fails on purpose");
    }
}
