/**
 * The Spring side of a worker JVM: boots a worker's {@code @Configuration} as a minimal context.
 */
@NullMarked
package io.ipcworkers.autoconfigure.worker;

import org.jspecify.annotations.NullMarked;
