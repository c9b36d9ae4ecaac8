package io.ipcworkers.worker;

import java.util.Map;

import io.ipcworkers.codec.MessageCodec;

/**
 * Starts Jackson on a background thread once a worker has announced it is ready, the way Spring
 * Boot's background preinitializer does: readiness does not wait for it, and by the time the first
 * message arrives its classes are usually loaded. Failures are ignored; the first real use reports them.
 */
final class JsonPreinitializer implements Runnable {

    private final MessageCodec codec;

    private JsonPreinitializer(MessageCodec codec) {
        this.codec = codec;
    }

    static void start(MessageCodec codec) {
        Thread thread = new Thread(new JsonPreinitializer(codec), "ipc-json-preinit");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    @Override
    public void run() {
        try {
            byte[] json = this.codec.mapper().writeValueAsBytes(Map.of("n", 1));
            this.codec.mapper().readValue(json, Map.class);
        }
        catch (RuntimeException ex) {
            // not ours to report
        }
    }
}
