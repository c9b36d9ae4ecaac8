/**
 * Micrometer observations of the message bus and of the parent's {@code @IpcListener} calls.
 */
@NullMarked
package io.ipcworkers.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
