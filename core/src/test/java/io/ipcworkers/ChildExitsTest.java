package io.ipcworkers;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bookkeeping behind {@code awaitAll} and exit hooks, without processes: which exits are reported
 * to which wait, and that every exit's hooks run exactly once, whoever waits or stops waiting.
 */
class ChildExitsTest {

    private final ChildExits exits = new ChildExits();

    private final List<String> hookCalls = new CopyOnWriteArrayList<>();

    @Test
    void exitsDuringAWaitThatStopsEarlyHaveTheirHooksRunWhenItStopsAndAreReportedToTheNextWait() throws Exception {
        this.exits.addHook((code, pid) -> this.hookCalls.add(pid + ":" + code));
        Child first = start(1);
        Child second = start(2);
        Child third = start(3);
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> reportedToFirstWait = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> firstWait = OwnThread.run(() -> await((code, pid) -> {
            reportedToFirstWait.add(pid);
            inCallback.countDown();
            awaitQuietly(release);
            return false; // stops waiting after the first exit
        }));

        this.exits.exited(first, 0);
        assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
        this.exits.exited(second, 5); // while a wait is under way: its hooks wait for that wait
        assertThat(this.hookCalls).doesNotContain("2:5");
        release.countDown();
        firstWait.get(10, TimeUnit.SECONDS);

        assertThat(reportedToFirstWait).containsExactly(1L);
        assertThat(this.hookCalls).containsExactly("1:0", "2:5"); // the second's too, once nobody waits
        List<Long> reportedToSecondWait = new CopyOnWriteArrayList<>();
        this.exits.exited(third, 7); // nobody waits: its hooks run at once
        await((code, pid) -> reportedToSecondWait.add(pid));
        assertThat(reportedToSecondWait).containsExactly(2L, 3L);
        assertThat(this.hookCalls).containsExactly("1:0", "2:5", "3:7"); // none run twice
    }

    @Test
    void aHookThatThrowsIsLoggedAndTheOthersStillRun() {
        this.exits.addHook((code, pid) -> {
            throw new IllegalStateException("a broken hook");
        });
        this.exits.addHook((code, pid) -> {
            throw new AssertionError("a hook's failed assertion");
        });
        this.exits.addHook((code, pid) -> this.hookCalls.add(pid + ":" + code));

        this.exits.exited(start(9), 1);

        assertThat(this.hookCalls).containsExactly("9:1");
        assertThat(this.exits.running()).isEmpty();
    }

    @Test
    void aWaitWhoseCallbackThrowsEndsWithItsExceptionAndThatExitsHooksStillRunOnce() {
        this.exits.addHook((code, pid) -> this.hookCalls.add(pid + ":" + code));
        Child first = start(1);
        Child second = start(2);
        this.exits.exited(first, 3);
        this.exits.exited(second, 4);
        this.hookCalls.clear(); // nobody waited: both ran at once, as they should

        Child third = start(5);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Void> wait = OwnThread.run(() -> await((code, pid) -> {
            if (pid == 5) {
                throw new IllegalStateException("the callback's own failure");
            }
            if (pid == 2) {
                waiting.countDown();
            }
            return true;
        }));
        awaitQuietly(waiting);
        this.exits.exited(third, 6); // while the wait is under way: its hooks wait for its callback

        assertThatThrownBy(() -> wait.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("the callback's own failure");
        assertThat(this.hookCalls).containsExactly("5:6");
        List<Long> reportedLater = new CopyOnWriteArrayList<>();
        await((code, pid) -> reportedLater.add(pid));
        assertThat(reportedLater).isEmpty(); // every exit was reported to the first wait, the failing one too
        assertThat(this.hookCalls).containsExactly("5:6");
    }

    @Test
    void exitsNobodyEverWaitsForAreKeptUpToABoundTheOldestLetGoFirst() {
        this.exits.addHook((code, pid) -> this.hookCalls.add(pid + ":" + code));
        int children = ChildExits.MAX_UNREPORTED + 5;
        for (long pid = 1; pid <= children; pid++) {
            this.exits.exited(start(pid), 0);
        }

        assertThat(this.hookCalls).hasSize(children); // every exit's hooks ran
        List<Long> reported = new CopyOnWriteArrayList<>();
        await((code, pid) -> reported.add(pid));
        assertThat(reported).hasSize(ChildExits.MAX_UNREPORTED);
        assertThat(reported.get(0)).isEqualTo(6L);
        assertThat(reported.get(reported.size() - 1)).isEqualTo((long) children);
    }

    private Child start(long pid) {
        Child child = new Child(pid);
        this.exits.started(child);
        return child;
    }

    private void await(ExitCallback callback) {
        try {
            this.exits.awaitAll(callback);
        }
        catch (InterruptedException ex) {
            throw new AssertionError(ex);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A handle with a pid and nothing behind it. */
    private record Child(long getId) implements ChildProcess {

        @Override
        public void sendMessage(Message message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Message getNextMessage() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Message getNextMessage(Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isAlive() {
            return false;
        }

        @Override
        public CompletableFuture<Integer> onExit() {
            return new CompletableFuture<>();
        }

        @Override
        public void terminate() {
        }

        @Override
        public void kill() {
        }
    }
}
