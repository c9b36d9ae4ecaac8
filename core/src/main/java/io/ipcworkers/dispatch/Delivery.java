package io.ipcworkers.dispatch;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import org.jspecify.annotations.Nullable;

/**
 * One message to hand to listeners, with what its parameters may ask for.
 *
 * @param message the message
 * @param sender in the parent: the worker that sent it
 * @param parent in a worker: the parent
 * @param pool the pool the message came from (parent) or the worker belongs to (worker)
 */
public record Delivery(Message message, @Nullable ChildProcess sender, @Nullable ParentProcess parent, String pool)
        implements MessageSource {
}
