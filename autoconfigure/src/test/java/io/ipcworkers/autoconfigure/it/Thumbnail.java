package io.ipcworkers.autoconfigure.it;

public record Thumbnail(String name, int height, long workerPid) {
}
