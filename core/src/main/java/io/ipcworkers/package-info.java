/**
 * The public API of ipc-workers: start worker JVMs ({@link io.ipcworkers.ProcessManager},
 * {@link io.ipcworkers.ProcessQueue}), exchange topic {@link io.ipcworkers.Message messages} with
 * them ({@link io.ipcworkers.ChildProcess}, {@link io.ipcworkers.ParentProcess}), and send to pools
 * of workers ({@link io.ipcworkers.MessageBus}, {@link io.ipcworkers.IpcListener}).
 *
 * <p>Sub-packages are internal: their public types serve this library's own modules and may change
 * in any release.
 */
@NullMarked
package io.ipcworkers;

import org.jspecify.annotations.NullMarked;
