package io.ipcworkers.worker;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Fields of Linux's {@code /proc/self/status}. Read with plain I/O and parsed without regular
 * expressions or string {@code +}: a worker reads its pid here on its way to ready.
 */
final class ProcSelfStatus {

    private ProcSelfStatus() {
    }

    /** The whole status, each line starting with a line break; null where there is none (not Linux). */
    static @Nullable String read() {
        try (FileInputStream status = new FileInputStream("/proc/self/status")) {
            return "\n".concat(new String(status.readAllBytes(), StandardCharsets.ISO_8859_1));
        }
        catch (IOException | SecurityException ex) {
            return null;
        }
    }

    /**
     * The value of a field of a status from {@link #read}, trimmed: {@code "VmRSS"} gives
     * {@code "1234 kB"}.
     * @return the value, or null if the status has no such field
     */
    static @Nullable String field(String status, String name) {
        String key = "\n".concat(name).concat(":");
        int start = status.indexOf(key);
        if (start < 0) {
            return null;
        }
        int end = status.indexOf('\n', start + 1);
        return status.substring(start + key.length(), (end < 0) ? status.length() : end).trim();
    }
}
