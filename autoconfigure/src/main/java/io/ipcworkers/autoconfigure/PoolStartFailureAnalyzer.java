package io.ipcworkers.autoconfigure;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ipcworkers.ProcessExitedException;
import io.ipcworkers.pool.PoolStartException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a pool whose workers could not start, quoting what the worker printed before it died. */
class PoolStartFailureAnalyzer extends AbstractFailureAnalyzer<PoolStartException> {

    /**
     * What a JVM prints when it takes options from a variable of its environment, with the variable's name
     * (it prints it for an empty one too, which gives no options).
     */
    private static final Pattern PICKED_UP = Pattern.compile("Picked up (\\w+): *\\S");

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PoolStartException cause) {
        String prefix = "ipc.pools." + cause.getPool() + ".";
        String inherited = optionsVariable(cause);
        String action = killedEachTime(cause) ? memoryAction(prefix) : startAction(prefix);
        return new FailureAnalysis("Worker pool '" + cause.getPool() + "' could not start its workers:\n\n    "
                + cause.getMessage().replace("\n", "\n    "),
                (inherited != null) ? action + " " + environmentAction(prefix, inherited) : action, cause);
    }

    private static boolean killedEachTime(PoolStartException cause) {
        return cause.getCause() instanceof ProcessExitedException exited
                && exited.getExitCode() == ProcessExitedException.SIGKILL_EXIT_CODE;
    }

    /** The variable the worker took JVM options from, as its last output says; null when it took none. */
    private static @Nullable String optionsVariable(PoolStartException cause) {
        if (cause.getCause() instanceof ProcessExitedException exited) {
            for (String line : exited.getLastOutputLines()) {
                Matcher pickedUp = PICKED_UP.matcher(line);
                if (pickedUp.find()) {
                    return pickedUp.group(1);
                }
            }
        }
        return null;
    }

    /** Options a worker inherits without its pool's settings naming them: they may not suit a worker. */
    private static String environmentAction(String prefix, String variable) {
        return "The worker JVM also took options from " + variable + " (the 'Picked up' line above), which the "
                + "workers inherit from the application: if they do not suit a worker (a debugger's fixed port, "
                + "say), give the workers their own with " + prefix + "environment." + variable
                + " (empty for none).";
    }

    /** Nothing the worker did: something outside killed it at every attempt, most often for its memory. */
    private static String memoryAction(String prefix) {
        return "The worker JVMs were killed with SIGKILL before they were ready, at each attempt; nothing in the "
                + "worker failed. Most often this is the kernel's out-of-memory killer (see dmesg, or the container's "
                + "events): give the workers less memory (-Xmx in " + prefix + "jvm-args, fewer " + prefix
                + "workers), or the machine or container more.";
    }

    private static String startAction(String prefix) {
        return "Read the worker's stderr above. Check that " + prefix + "worker names a class that starts in a JVM "
                + "of its own (its @Configuration beans must not need the parent's beans) and declares at "
                + "least one @IpcListener method, and that " + prefix + "jvm-args are options its JVM "
                + "accepts; raise " + prefix + "start-timeout for slow-starting workers.";
    }
}
