package io.ipcworkers.autoconfigure.it;

public record ResizeJob(String path, int width) {
}
