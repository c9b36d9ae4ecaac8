package io.ipcworkers.sample.primes;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;

/**
 * A plain worker: no Spring in its JVM, so it starts in a fraction of a second. CPU-heavy on
 * purpose; each worker JVM uses its own core and its own heap.
 */
public class PrimeWorker {

    @IpcListener("count-primes")
    public PrimeCount count(PrimeRange range, ParentProcess parent) {
        long started = System.nanoTime();
        long primes = 0;
        long span = range.to() - range.from();
        int reported = 0;
        for (long n = range.from(); n < range.to(); n++) {
            if (isPrime(n)) {
                primes++;
            }
            int percent = (int) (100 * (n - range.from() + 1) / span);
            if (percent >= reported + 25) {
                reported = percent;
                parent.sendMessage(Message.of("progress", new Progress(range.chunk(), percent)));
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new PrimeCount(range.chunk(), primes, ProcessHandle.current().pid(), millis);
    }

    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long divisor = 3; divisor * divisor <= n; divisor += 2) {
            if (n % divisor == 0) {
                return false;
            }
        }
        return true;
    }
}
