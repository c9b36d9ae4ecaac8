package io.ipcworkers.sample.primes;

/** Sent by a prime worker to the parent while it works. */
public record Progress(int chunk, int percent) {
}
