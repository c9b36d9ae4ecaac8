package io.ipcworkers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method that handles topic messages.
 *
 * <p>In a worker (a plain worker class, or any bean of a Spring worker's context) it handles what the
 * parent sends. In the parent (any Spring bean) it handles what the workers of every pool, or of
 * {@link #pool()} only, send.
 *
 * <p>Parameters are resolved by type: {@link Message} (the whole message), {@link ChildProcess} (in
 * the parent: the worker that sent it), {@link ParentProcess} (in a worker: the parent; a method that
 * asks for the handle its side never has is refused when it is registered); any other parameter, at
 * most one, receives the payload converted with Jackson to its declared type, generics included. If a
 * worker's listener throws on a plain message, the parent makes it a {@link DeadLetter}. A non-null
 * return value is the reply (a returned {@code CompletableFuture} or {@code CompletionStage} is waited
 * for, and what it completes or fails with is the outcome; the messages after it wait their turn): it
 * completes the sender's {@link MessageBus#request request} future, or, for a plain message, goes back
 * to the sender as a message on the same topic (whose own listeners' return values are not sent back
 * again). A returned {@link Message} is sent as it is, with its own topic; a received message returned
 * this way is forwarded without its payload being decoded and encoded again.
 *
 * <pre>{@code
 * public class ThumbWorker {
 *     @IpcListener("resize")
 *     public Thumbnail resize(ResizeJob job, ParentProcess parent) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface IpcListener {

    /** Alias for {@link #topics()}. */
    String[] value() default {};

    /**
     * The topics this method handles. On a Spring bean (in the parent or a Spring worker) each may be a
     * property placeholder ({@code ${…}}) or a SpEL expression ({@code #{…}}), and so may {@link #pool()};
     * a plain worker class must name them literally.
     */
    String[] topics() default {};

    /**
     * In the parent: handle only messages from workers of this pool. In a worker class that several
     * pools share: handle messages only in the workers of this pool (the others do not announce the
     * topic, so the parent does not send it to them). Empty for every pool.
     */
    String pool() default "";
}
