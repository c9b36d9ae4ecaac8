package io.ipcworkers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs a test's blocking step on a thread of its own. {@code CompletableFuture.runAsync(step)} is no
 * place for it: newer JDKs (25 here) run such steps in the common pool whatever its size, and on two
 * cores that is one thread, so a second blocking step (a pool's stop beside a caller waiting for
 * room, say) would wait for the first to end. JDK 17 started a thread per step there.
 */
public final class OwnThread {

    private static final Executor THREAD_PER_STEP = (step) -> {
        Thread thread = new Thread(step, "test-step");
        thread.setDaemon(true);
        thread.start();
    };

    private OwnThread() {
    }

    public static CompletableFuture<Void> run(Runnable step) {
        return CompletableFuture.runAsync(step, THREAD_PER_STEP);
    }

    public static <T> CompletableFuture<T> supply(Supplier<T> step) {
        return CompletableFuture.supplyAsync(step, THREAD_PER_STEP);
    }
}
