package io.ipcworkers.sample.primes;

/** A half-open range of numbers to search for primes: {@code [from, to)}. */
public record PrimeRange(int chunk, long from, long to) {
}
