package io.ipcworkers.channel;

import java.util.concurrent.TimeUnit;

/** Runs a soak test's rounds, a fresh connection each, for {@code soak.seconds} (60), and says how many ran. */
final class SoakRounds {

    @FunctionalInterface
    interface Round {

        /** @return how many frames or requests it carried */
        long run(int round) throws Exception;
    }

    private SoakRounds() {
    }

    static void repeat(String carried, Round round) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("soak.seconds", 60));
        int rounds = 0;
        long total = 0;
        while (System.nanoTime() - until < 0) {
            total += round.run(rounds++);
        }
        System.out.println("Soak: " + rounds + " connections, " + total + " " + carried);
    }
}
