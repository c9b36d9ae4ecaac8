/**
 * Internal: the {@link io.ipcworkers.IpcListener} invocation stage shared by workers and the parent:
 * a registry of listener endpoints by topic, argument resolution by type, and dispatch.
 */
@NullMarked
package io.ipcworkers.dispatch;

import org.jspecify.annotations.NullMarked;
