/**
 * Internal: pools of listener workers in the parent — routing, correlated requests, restarts and
 * graceful stop — and the {@link io.ipcworkers.MessageBus} over them.
 */
@NullMarked
package io.ipcworkers.pool;

import org.jspecify.annotations.NullMarked;
