package io.ipcworkers.benchmarks;

import java.util.Map;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.WorkerTask;

/**
 * The shared workload's child, as a {@link WorkerTask}: echoes every topic except {@code t} (counted),
 * {@code end} (answers {@code done} with the count) and {@code exit}. Sends {@code ready} first.
 */
final class EchoTask implements WorkerTask {

    private static final long serialVersionUID = 1L;

    @Override
    public void run(ChildProcess self, ParentProcess parent) {
        parent.sendMessage(Message.of("ready", null));
        long count = 0;
        while (true) {
            Message message = parent.getNextMessage();
            switch (message.topic()) {
                case "t" -> count++;
                case "end" -> {
                    parent.sendMessage(Message.of("done", Map.of("count", count)));
                    count = 0;
                }
                case "exit" -> {
                    return;
                }
                default -> parent.sendMessage(message);
            }
        }
    }
}
