package io.ipcworkers.launch;

import java.util.List;
import java.util.Map;

/**
 * How to start one child.
 *
 * @param name shown in output prefixes and error messages, e.g. {@code "child"} or {@code "thumbnails-2"}
 * @param jvmArgs options for the child JVM, e.g. {@code -Xmx256m}
 * @param environment variables added to the child's environment
 */
public record LaunchOptions(String name, List<String> jvmArgs, Map<String, String> environment) {

    public LaunchOptions {
        jvmArgs = List.copyOf(jvmArgs);
        environment = Map.copyOf(environment);
    }

    public static LaunchOptions named(String name) {
        return new LaunchOptions(name, List.of(), Map.of());
    }

    public LaunchOptions withJvmArgs(List<String> jvmArgs) {
        return new LaunchOptions(this.name, jvmArgs, this.environment);
    }
}
