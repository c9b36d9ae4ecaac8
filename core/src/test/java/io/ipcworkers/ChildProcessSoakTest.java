package io.ipcworkers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Not part of the suite ({@code mvn -pl core test -Dgroups=soak -Dsoak.excluded=none}): {@code
 * soak.children} (60) children, three at a time through a {@link ProcessQueue}, each echoing five
 * bursts of up to 3,000 messages of up to 300 bytes that its parent reads as it sends; a quarter are
 * killed mid-stream. Every echo comes back in order, a killed child's parent is told so, and every
 * exit reaches both the exit hook and {@code awaitAll}.
 */
@Tag("soak")
class ChildProcessSoakTest {

    /** Echoes every message until "end", which it answers with "done". */
    static final class Echo implements WorkerTask {

        private static final long serialVersionUID = 1L;

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
            for (Message message = parent.getNextMessage(); !message.topic().equals("end");
                    message = parent.getNextMessage()) {
                parent.sendMessage(message);
            }
            parent.sendMessage(Message.of("done", null));
        }
    }

    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    private final AtomicInteger finished = new AtomicInteger();

    private final AtomicInteger killed = new AtomicInteger();

    @Test
    void childrenStreamBothWaysInOrderAndEveryExitIsTold() throws Exception {
        int children = Integer.getInteger("soak.children", 60);
        Map<Long, Integer> toldHooks = new ConcurrentHashMap<>();
        Map<Long, Integer> toldAwaitAll = new ConcurrentHashMap<>();
        List<Long> pids = new CopyOnWriteArrayList<>();
        try (ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard())
            .jvmArgs(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")).build()) {
            pm.onProcessExit((code, pid) -> {
                toldHooks.put(pid, code);
                return true;
            });
            ProcessQueue queue = new ProcessQueue(3, pm);
            List<CompletableFuture<Void>> parents = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                ChildProcess child = queue.addToQueue(new Echo());
                pids.add(child.getId());
                boolean kill = ThreadLocalRandom.current().nextInt(4) == 0;
                parents.add(OwnThread.run(() -> stream(child, kill)));
            }
            for (CompletableFuture<Void> parent : parents) {
                parent.get(2, TimeUnit.MINUTES);
            }
            queue.awaitAll();
            pm.awaitAll((code, pid) -> {
                toldAwaitAll.put(pid, code);
                return true;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> toldHooks.size() == children);
        }
        System.out.println("Soak: " + this.finished + " children finished, " + this.killed + " killed");
        assertThat(this.problems).isEmpty();
        assertThat(toldHooks.keySet()).containsExactlyInAnyOrderElementsOf(pids);
        assertThat(toldAwaitAll.keySet()).containsExactlyInAnyOrderElementsOf(pids);
        Processes.assertAllGone(pids, Duration.ofSeconds(5));
    }

    private void stream(ChildProcess child, boolean kill) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int sent = 0;
        int received = 0;
        try {
            for (int burst = 0; burst < 5; burst++) {
                int size = random.nextInt(1, 3000);
                String pad = "x".repeat(random.nextInt(0, 300));
                for (int i = 0; i < size; i++) {
                    child.sendMessage(Message.of("n", Map.of("n", sent++, "pad", pad)));
                    while (sent - received > 200) { // read as it sends: both directions would fill otherwise
                        expectEcho(child, received++);
                    }
                }
                if (kill && burst == 2) {
                    child.kill();
                }
                while (received < sent) {
                    expectEcho(child, received++);
                }
            }
            child.sendMessage(Message.of("end", null));
            assertThat(child.getNextMessage(Duration.ofSeconds(30)).topic()).isEqualTo("done");
            this.finished.incrementAndGet();
        }
        catch (ProcessExitedException ex) {
            if (!kill) {
                this.problems.add(child.getId() + " exited unexpectedly: " + ex.getMessage());
            }
            this.killed.incrementAndGet();
        }
        catch (RuntimeException | AssertionError ex) {
            this.problems.add(child.getId() + " after " + received + " of " + sent + " echoes: " + ex);
            child.kill();
        }
    }

    private void expectEcho(ChildProcess child, int expected) {
        Message echo = child.getNextMessage(Duration.ofSeconds(30));
        int n = ((Number) echo.payloadAs(Map.class).get("n")).intValue();
        if (n != expected) {
            this.problems.add(child.getId() + ": echo " + n + " where " + expected + " was due");
        }
    }
}
