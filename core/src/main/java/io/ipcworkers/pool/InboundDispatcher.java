package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.ipcworkers.DeadLetter;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.dispatch.Delivery;
import io.ipcworkers.dispatch.ListenerDispatcher;
import io.ipcworkers.dispatch.ListenerRegistry;

/**
 * Hands messages from workers to the parent's {@code @IpcListener} methods. A listener's return
 * value goes back to the sending worker, unless the message was itself such a reply. Failures are
 * logged and never stop the flow; messages nobody listens to are counted and logged once per topic.
 */
public final class InboundDispatcher {

    private static final System.Logger logger = System.getLogger(InboundDispatcher.class.getName());

    private final ListenerDispatcher dispatcher;

    private final Map<String, LongAdder> unhandled = new ConcurrentHashMap<>();

    public InboundDispatcher(ListenerRegistry registry) {
        this.dispatcher = new ListenerDispatcher(registry);
    }

    void handle(PoolWorker sender, Message message, boolean isReply) {
        Object reply;
        try {
            reply = this.dispatcher.dispatch(new Delivery(message, sender, null, sender.pool()), "parent");
        }
        catch (NoListenerException ex) {
            LongAdder count = this.unhandled.computeIfAbsent(message.topic(), (topic) -> new LongAdder());
            count.increment();
            if (count.sum() == 1) {
                logger.log(Level.WARNING, "No @IpcListener in the parent for topic '" + message.topic() + "' from pool '"
                        + sender.pool() + "'; such messages are dropped and counted");
            }
            return;
        }
        catch (Exception ex) {
            logger.log(Level.ERROR, "@IpcListener for topic '" + message.topic() + "' from " + sender
                    + " failed; the message is dropped", ex);
            return;
        }
        if (reply != null && !isReply) {
            try {
                sender.sendReply((reply instanceof Message answer) ? answer : Message.of(message.topic(), reply));
            }
            catch (RuntimeException ex) {
                logger.log(Level.WARNING, "Could not send the reply to '" + message.topic() + "' back to " + sender, ex);
            }
        }
    }

    /** Hands a dead letter to the parent's listeners on {@link DeadLetter#TOPIC}; without any it was logged only. */
    void deadLetter(DeadLetter letter) {
        try {
            this.dispatcher.dispatch(new Delivery(Message.of(DeadLetter.TOPIC, letter), null, null, letter.pool()), "parent");
        }
        catch (NoListenerException ex) {
            // the pool logged it already
        }
        catch (Exception ex) {
            logger.log(Level.ERROR, "Dead-letter listener failed for topic '" + letter.topic() + "'", ex);
        }
    }

    /** Messages dropped because no parent listener handles their topic, by topic. */
    public Map<String, Long> unhandledCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        this.unhandled.forEach((topic, count) -> counts.put(topic, count.sum()));
        return counts;
    }
}
