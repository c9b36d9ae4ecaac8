/**
 * Internal: starting child JVMs (command line, bootstrap over stdin, output forwarding) and the
 * private Unix-domain-socket server that authenticates each child by its one-time token.
 */
@NullMarked
package io.ipcworkers.launch;

import org.jspecify.annotations.NullMarked;
