package io.ipcworkers.pool;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;

import io.ipcworkers.DeadLetter;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.codec.MessageHeaders;
import io.ipcworkers.dispatch.Callbacks;
import io.ipcworkers.dispatch.Delivery;
import io.ipcworkers.dispatch.FailureKinds;
import io.ipcworkers.dispatch.ListenerDispatcher;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Hands messages from workers to the parent's {@code @IpcListener} methods. A listener's return
 * value goes back to the sending worker, unless the message was itself such a reply. Failures are
 * logged and never stop the flow; messages nobody listens to are counted and logged once per topic.
 */
public final class InboundDispatcher {

    private static final System.Logger logger = System.getLogger(InboundDispatcher.class.getName());

    /** The key under which dropped messages' topics past the first 100 are counted together. */
    public static final String OTHER_TOPICS = "(other topics)";

    private final ListenerRegistry registry;

    private final ListenerDispatcher dispatcher;

    private final TopicCounts unhandled = new TopicCounts();

    private final FailureKinds failureKinds = new FailureKinds();

    private final @Nullable PoolObserver observer;

    InboundDispatcher(ListenerRegistry registry, @Nullable PoolObserver observer) {
        this.registry = registry;
        this.dispatcher = new ListenerDispatcher(registry);
        this.observer = observer;
    }

    /** The topic as meters and events may show it: see {@link PoolListener#UNHANDLED_TOPIC}. */
    String reportedTopic(String topic, String pool) {
        return this.registry.hasListener(topic, pool) ? topic : PoolListener.UNHANDLED_TOPIC;
    }

    /** @param headers what the worker's observer sent with the message (a trace context, say) */
    void handle(PoolWorker sender, Message message, boolean isReply, Map<String, String> headers) {
        try {
            dispatch(new Delivery(message, sender, null, sender.pool()), headers, isReply ? null : sender);
        }
        catch (NoListenerException ex) {
            countUnhandled(message.topic(), sender.pool());
        }
        catch (ProcessExitedException ex) {
            if (ex.getPid() != sender.getId()) {
                failed(sender, message, ex);
            }
            else {
                answerLost(message, sender, ex); // the listener sent its worker a message, too late
            }
        }
        catch (Exception | Error ex) {
            Callbacks.rethrowIfFatal(ex);
            failed(sender, message, ex);
        }
    }

    /**
     * Calls the parent listener of the delivery's topic, observed when it has one and there is an
     * observer; its return value goes back inside that observation, so that the answer carries its trace.
     * @param answerTo the worker the return value goes back to; null when it goes nowhere
     */
    private @Nullable Object dispatch(Delivery delivery, Map<String, String> headers, @Nullable PoolWorker answerTo)
            throws Exception {
        String topic = delivery.message().topic();
        PoolObserver observer = this.observer;
        if (observer == null || !this.registry.hasListener(topic, delivery.pool())) {
            return answer(delivery.message(), this.dispatcher.dispatch(delivery, "parent"), answerTo, null);
        }
        return observer.listen(delivery.pool(), topic, headers,
                () -> answer(delivery.message(), this.dispatcher.dispatch(delivery, "parent"), answerTo, observer));
    }

    /**
     * Sends a listener's return value back to its worker, observed as a send when there is an observer;
     * a failure to send it is logged here, not counted as the listener's.
     * @return the return value
     */
    private @Nullable Object answer(Message message, @Nullable Object returned, @Nullable PoolWorker answerTo,
            @Nullable PoolObserver observer) {
        if (returned == null || answerTo == null) {
            return returned;
        }
        Message answer = (returned instanceof Message given) ? given : Message.of(message.topic(), returned);
        try {
            if (observer == null) {
                answerTo.answers().reply(answer, null);
            }
            else {
                observer.send(answerTo.pool(), answer.topic(), false, (headers) -> {
                    answerTo.answers().reply(answer, MessageHeaders.encode(headers));
                    return 1;
                });
            }
        }
        catch (ProcessExitedException ex) {
            answerLost(message, answerTo, ex);
        }
        catch (RuntimeException ex) {
            logger.log(Level.WARNING, "Could not send the reply to '" + message.topic() + "' back to " + answerTo, ex);
        }
        return returned;
    }

    /** What runs around the bus's sends and requests and the parent listeners' calls; null for nothing. */
    @Nullable PoolObserver observer() {
        return this.observer;
    }

    private void failed(PoolWorker sender, Message message, Throwable ex) {
        failed(sender.owner(), message.topic(), "from " + sender, "the message is dropped", ex);
    }

    /**
     * Each failure is counted ({@link PoolListener#parentListenerFailed}) and logged; its stack trace only
     * for the first of its kind ({@link FailureKinds}), which is logged at once, and the others of a
     * running pool one a period, with a line for those that followed ({@link ThrottledWarnings}): a
     * listener failing on every message of a stream costs two lines a period, not a stack trace a message.
     */
    private void failed(WorkerPool pool, String topic, String about, String outcome, Throwable ex) {
        pool.listener().parentListenerFailed(pool.name(), topic, ex.getClass());
        boolean firstOfKind = this.failureKinds.isFirst(topic, ex);
        pool.listenerFailureWarnings().warn(topic, new Failure(about, outcome, ex, firstOfKind), firstOfKind);
    }

    /**
     * A parent listener's failure on a message.
     * @param about what the message was, e.g. "from Worker thumbnails-1 (pid 1234)"
     * @param outcome what became of it, e.g. "the message is dropped"
     * @param traced whether its stack trace is to be logged
     */
    record Failure(String about, String outcome, Throwable exception, boolean traced) {
    }

    /** How a pool's parent listener failures read in the log. */
    static ThrottledWarnings.Lines<Failure> throttledLines(String pool) {
        return new ThrottledWarnings.Lines<>() {

            @Override
            public void logAlone(String topic, Failure failure) {
                String text = "@IpcListener for topic '" + topic + "' " + failure.about() + " failed; " + failure.outcome();
                if (failure.traced()) {
                    logger.log(Level.ERROR, text, failure.exception());
                }
                else {
                    logger.log(Level.ERROR, text + ": " + failure.exception()
                            + " (its stack trace was logged for the first such failure)");
                }
            }

            @Override
            public void logFollowing(TopicTally<Failure> held, Duration period) {
                Failure first = held.first();
                logger.log(Level.ERROR, held.count() + " more " + ((held.count() == 1) ? "failure" : "failures")
                        + " of parent @IpcListener methods on messages from pool '" + pool + "' within "
                        + TopicTally.describe(period) + " of the one logged before (" + held.topics()
                        + "); the first, topic '" + held.firstTopic() + "' " + ((first != null) ? first.about() + ": "
                        + first.exception() + "; " + first.outcome() : null));
            }
        };
    }

    /**
     * The listeners go on with what a worker sent before it exited (up to the queue's 1,024 messages),
     * and every answer to it would fail the same way: the first is logged, without a stack trace.
     */
    private static void answerLost(Message message, PoolWorker sender, ProcessExitedException why) {
        WorkerPool pool = sender.owner();
        pool.listener().answerLost(pool.name(), message.topic()); // a topic a parent listener takes: no made-up meters
        if (sender.answers().lost() == 1) {
            logger.log(Level.WARNING, "The parent's answer to '" + message.topic() + "' was not sent: " + why.getMessage()
                    + ". Its messages still queued are handled; answers to them are dropped without a line each");
        }
    }

    private void countUnhandled(String topic, String pool) {
        String firstOfKey = this.unhandled.increment(topic);
        if (firstOfKey == null) {
            return;
        }
        if (firstOfKey.equals(OTHER_TOPICS)) {
            logger.log(Level.WARNING, "More than " + TopicCounts.MAX_TOPICS + " topics without a parent @IpcListener "
                    + "(the latest '" + topic + "' from pool '" + pool + "'); such messages are dropped and from now on "
                    + "counted together as '" + OTHER_TOPICS + "', without a log line each");
        }
        else {
            logger.log(Level.WARNING, "No @IpcListener in the parent for topic '" + topic + "' from pool '" + pool
                    + "'; such messages are dropped and counted");
        }
    }

    /**
     * Hands a dead letter to the parent's listeners on {@link DeadLetter#TOPIC}; a listener that throws
     * is counted and logged as others are: a worker listener failing on every message of a stream makes
     * a dead letter of each.
     * @return whether one took it without failing; if not, the caller logs it
     */
    boolean deadLetter(DeadLetter letter, WorkerPool pool) {
        try {
            dispatch(new Delivery(Message.of(DeadLetter.TOPIC, letter), null, null, letter.pool()), Map.of(), null);
            return true;
        }
        catch (NoListenerException ex) {
            return false;
        }
        catch (Exception | Error ex) {
            Callbacks.rethrowIfFatal(ex);
            failed(pool, DeadLetter.TOPIC, "on a dead letter of topic '" + letter.topic() + "'",
                    "the letter is logged as unclaimed", ex);
            return false;
        }
    }

    /**
     * Messages dropped because no parent listener handles their topic, by topic; past 100 distinct
     * topics, the others under {@link #OTHER_TOPICS}.
     */
    public Map<String, Long> unhandledCounts() {
        return this.unhandled.snapshot();
    }
}
