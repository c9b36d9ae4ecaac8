package io.ipcworkers;

/**
 * A message that could not be delivered and is not retried: a plain send whose worker died before
 * acknowledging it, or whose listener threw or could not take its payload, a poison message past its
 * redelivery limit, work still queued when a pool stopped. Dead letters go to parent
 * {@link IpcListener} methods on {@link #TOPIC}:
 *
 * <pre>{@code
 * @IpcListener(DeadLetter.TOPIC)
 * void deadLetter(DeadLetter letter) { log.warn("lost {} in {}: {}", letter.topic(), letter.pool(), letter.reason()); }
 * }</pre>
 *
 * Without such a listener they are logged at WARN: everything a dead worker held in one line, and of
 * a stream of others the first as it comes and the rest in one line every 10 seconds.
 *
 * @param pool the pool it was sent to
 * @param topic its topic
 * @param message the message itself
 * @param deliveries how often it was handed to a worker
 * @param reason why it was given up, naming the worker and its exit code where one died
 */
public record DeadLetter(String pool, String topic, Message message, int deliveries, String reason) {

    /** The topic parent listeners receive dead letters on. */
    public static final String TOPIC = "ipc.dead-letter";
}
