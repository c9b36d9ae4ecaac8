/**
 * Spring Boot auto-configuration of ipc-workers: {@code ipc.*} properties, worker pools as a
 * {@link io.ipcworkers.MessageBus} bean, {@link io.ipcworkers.IpcListener} discovery, start-up
 * failure analysis.
 */
@NullMarked
package io.ipcworkers.autoconfigure;

import org.jspecify.annotations.NullMarked;
