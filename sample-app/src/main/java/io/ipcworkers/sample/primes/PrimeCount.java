package io.ipcworkers.sample.primes;

/** How many primes a worker found in a range, and which worker it was. */
public record PrimeCount(int chunk, long primes, long workerPid, long millis) {
}
