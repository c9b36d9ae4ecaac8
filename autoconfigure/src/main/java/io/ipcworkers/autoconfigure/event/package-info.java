/**
 * Spring application events for worker and pool lifecycle changes.
 */
@NullMarked
package io.ipcworkers.autoconfigure.event;

import org.jspecify.annotations.NullMarked;
