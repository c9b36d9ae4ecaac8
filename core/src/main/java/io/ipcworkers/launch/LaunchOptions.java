package io.ipcworkers.launch;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * How to start one child.
 *
 * @param name shown in output prefixes and error messages, e.g. {@code "child"} or {@code "thumbnails-2"}
 * @param jvmArgs options for the child JVM, e.g. {@code -Xmx256m}
 * @param environment variables added to the child's environment
 * @param stopLeftoversAfterCleanExit whether what the child leaves running is stopped also when it exits
 *        with 0 (a pool worker, whose processes are the pool's business), not only when it fails (what a
 *        {@code ProcessManager} task that returns leaves may be meant to run on)
 * @param classDataGroup the children that share a class data archive (a pool's workers), when the
 *        launcher keeps archives ({@link LauncherSettings#classDataSharingDirectory()}); null for none
 * @param classesBeforeReady whether the group's children load most of their classes before they are
 *        ready (a Spring worker's context), which decides the kind of archive that serves them best
 */
public record LaunchOptions(String name, List<String> jvmArgs, Map<String, String> environment,
        boolean stopLeftoversAfterCleanExit, @Nullable String classDataGroup, boolean classesBeforeReady) {

    public LaunchOptions {
        jvmArgs = List.copyOf(jvmArgs);
        environment = checkedEnvironment(environment, "Invalid environment variable");
    }

    public LaunchOptions(String name, List<String> jvmArgs, Map<String, String> environment,
            boolean stopLeftoversAfterCleanExit) {
        this(name, jvmArgs, environment, stopLeftoversAfterCleanExit, null, false);
    }

    public static LaunchOptions named(String name) {
        return new LaunchOptions(name, List.of(), Map.of(), false);
    }

    /**
     * A pool's worker: whatever way it exits, what it left running is stopped; it shares class data
     * with the pool's other workers when the launcher keeps archives.
     * @param springWorker whether it boots a Spring context, and so loads most of its classes before it is ready
     */
    public static LaunchOptions poolWorker(String pool, String name, List<String> jvmArgs,
            Map<String, String> environment, boolean springWorker) {
        return new LaunchOptions(name, jvmArgs, environment, true, pool, springWorker);
    }

    public LaunchOptions withJvmArgs(List<String> jvmArgs) {
        return new LaunchOptions(this.name, jvmArgs, this.environment, this.stopLeftoversAfterCleanExit,
                this.classDataGroup, this.classesBeforeReady);
    }

    /** Like a record's, but the environment's values are left out: they may be secrets. */
    @Override
    public String toString() {
        return "LaunchOptions[name=" + this.name + ", jvmArgs=" + this.jvmArgs + ", environment="
                + namesOnly(this.environment) + ", stopLeftoversAfterCleanExit=" + this.stopLeftoversAfterCleanExit
                + ", classDataGroup=" + this.classDataGroup + ", classesBeforeReady=" + this.classesBeforeReady + "]";
    }

    /**
     * The environment, copied, once every variable in it is one a process's environment can hold: the
     * JDK's own refusal, at the launch, quotes a value, which may be a secret.
     * @param invalid how the refusal begins, e.g. {@code "Invalid environment variable"}
     * @throws IllegalArgumentException for a name that is empty or holds {@code =} or NUL, or a value
     *     that holds NUL, naming the variable by its name only
     */
    public static Map<String, String> checkedEnvironment(Map<String, String> environment, String invalid) {
        Map<String, String> copy = Map.copyOf(environment);
        copy.forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(invalid + " '" + name.replace('\0', '?')
                        + "': a name must not be empty nor hold '=' or NUL, a value must not hold NUL");
            }
        });
        return copy;
    }

    /** An environment as its variables' names, for text that may be logged. */
    public static String namesOnly(Map<String, String> environment) {
        return new TreeSet<>(environment.keySet()) + " (values hidden)";
    }
}
