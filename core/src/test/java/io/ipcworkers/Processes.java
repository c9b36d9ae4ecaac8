package io.ipcworkers;

import java.time.Duration;
import java.util.Collection;

import static org.awaitility.Awaitility.await;

/** Checks that processes are really gone: a test that leaves a JVM behind fails. */
final class Processes {

    private Processes() {
    }

    static void assertAllGone(Collection<Long> pids, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> pids.stream().noneMatch(Processes::isAlive));
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
