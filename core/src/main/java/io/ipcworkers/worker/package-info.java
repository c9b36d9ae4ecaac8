/**
 * Internal: the child side of the channel, the runtime a worker JVM runs its task in.
 */
@NullMarked
package io.ipcworkers.worker;

import org.jspecify.annotations.NullMarked;
