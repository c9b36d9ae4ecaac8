/**
 * Worker output through the parent's SLF4J logging.
 */
@NullMarked
package io.ipcworkers.autoconfigure.logging;

import org.jspecify.annotations.NullMarked;
