package io.ipcworkers;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects children's output lines, so tests can assert on them; also echoes them for debugging. */
final class CollectingOutput implements ProcessOutput {

    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void line(String name, long pid, Stream stream, String line) {
        String formatted = stream + " [" + name + " " + pid + "] " + line;
        this.lines.add(formatted);
        System.out.println(formatted);
    }

    boolean contains(String fragment) {
        return this.lines.stream().anyMatch((line) -> line.contains(fragment));
    }
}
