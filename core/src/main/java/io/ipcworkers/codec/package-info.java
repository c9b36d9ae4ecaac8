/**
 * Internal: the message codec (topic + JSON payload) that sits on top of the frame layer.
 */
@NullMarked
package io.ipcworkers.codec;

import org.jspecify.annotations.NullMarked;
