package io.ipcworkers.dispatch;

import io.ipcworkers.Message;

/**
 * The message of a delivery, as its listeners' parameters ask for it: a worker makes it only then, so
 * that a listener that takes neither the message nor its payload costs no object per message
 * (benchmarks/README.md, item 67). Asked more than once for one delivery, it gives the same message.
 */
@FunctionalInterface
public interface MessageSource {

    Message message();
}
