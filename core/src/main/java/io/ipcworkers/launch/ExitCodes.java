package io.ipcworkers.launch;

/**
 * How an exit code reads in a log line. A process ended by signal {@code n} exits with {@code 128 + n},
 * and 137 or 134 says little to whoever reads it at night: the signal is named, and for the usual ones
 * what tends to send it. (A program may also exit with such a code itself; hence "as".)
 */
final class ExitCodes {

    private static final String[] SIGNALS = { null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM" };

    private ExitCodes() {
    }

    /** E.g. "exited with code 137 (SIGKILL, as from kill -9 or the kernel's out-of-memory killer)". */
    static String describe(int exitCode) {
        String exited = "exited with code " + exitCode;
        int signal = exitCode - 128;
        if (signal <= 0 || signal >= SIGNALS.length) {
            return exited;
        }
        return exited + " (" + SIGNALS[signal] + switch (signal) {
            case 6 -> ", as when the JVM aborts after a crash in native code: look for its hs_err_pid file";
            case 9 -> ", as from kill -9 or the kernel's out-of-memory killer";
            case 11 -> ", as from a crash in native code";
            case 15 -> ", as from kill or a stop of the container";
            default -> "";
        } + ")";
    }
}
