package io.ipcworkers.codec;

/**
 * A record whose one property {@link ReadingCustomizer} renames to {@code reading_value} on the wire:
 * it reads back only where the default mapper was customized the same way.
 */
public record Reading(double value) {
}
