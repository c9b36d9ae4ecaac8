/**
 * Health indicators for worker pools.
 */
@NullMarked
package io.ipcworkers.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
