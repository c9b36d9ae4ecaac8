package io.ipcworkers.sample.primes;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.WorkerTask;

/**
 * A one-off child through the seed-style API ({@code ProcessManager.runProcess}): it waits for a
 * limit, counts the primes below it another way (a sieve, in its own heap), sends the count back and
 * exits. It has no fields, so it travels to its JVM as its class name.
 */
public class SieveCheck implements WorkerTask {

    private static final long serialVersionUID = 1L;

    @Override
    public void run(ChildProcess self, ParentProcess parent) {
        long limit = parent.getNextMessage().payloadAs(Long.class);
        long started = System.nanoTime();
        long primes = countBelow(Math.toIntExact(limit));
        parent.sendMessage(Message.of("sieved",
                new PrimeCount(0, primes, self.getId(), (System.nanoTime() - started) / 1_000_000)));
    }

    static long countBelow(int limit) {
        boolean[] composite = new boolean[Math.max(limit, 2)];
        long primes = 0;
        for (int n = 2; n < limit; n++) {
            if (!composite[n]) {
                primes++;
                for (long multiple = (long) n * n; multiple < limit; multiple += n) {
                    composite[(int) multiple] = true;
                }
            }
        }
        return primes;
    }
}
