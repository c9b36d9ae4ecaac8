package io.ipcworkers.autoconfigure.jsonmixin;

/** A payload type the application's mapper changes with a {@code @JacksonMixin}, which plain workers do not find. */
public record Temperature(double celsius) {
}
