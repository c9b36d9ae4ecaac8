/**
 * Internal: length-prefixed frames over a byte channel, and the {@link io.ipcworkers.channel.Connection}
 * seam behind which the Unix-domain-socket transport sits.
 */
@NullMarked
package io.ipcworkers.channel;

import org.jspecify.annotations.NullMarked;
