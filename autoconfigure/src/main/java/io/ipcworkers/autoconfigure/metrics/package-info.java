/**
 * Micrometer metrics for worker pools.
 */
@NullMarked
package io.ipcworkers.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
