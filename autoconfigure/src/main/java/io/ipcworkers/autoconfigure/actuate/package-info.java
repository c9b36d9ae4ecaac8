/**
 * The {@code ipcworkers} Actuator endpoint.
 */
@NullMarked
package io.ipcworkers.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
