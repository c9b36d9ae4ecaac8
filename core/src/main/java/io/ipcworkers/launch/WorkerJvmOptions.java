package io.ipcworkers.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The JVM options a worker will start with: those of its command line, and those its environment gives
 * it, which it inherits from the application unless its pool sets them (a container image often sets its
 * application's class data sharing, or an agent, there).
 */
final class WorkerJvmOptions {

    /** Variables a JVM takes options from besides its command line: the {@code java} launcher's, then the JVM's. */
    private static final List<String> VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");

    private final List<String> commandLine;

    private final Map<String, String> environment;

    /** @param environment the worker's whole environment, as it will start with it */
    WorkerJvmOptions(List<String> commandLine, Map<String, String> environment) {
        this.commandLine = commandLine;
        this.environment = environment;
    }

    /**
     * The options that match, as they may be told: those from the environment named by their variable, and
     * only those (the variables may hold secrets, {@code -D} options, so they are never told whole).
     * @param upToValue whether to tell an option only up to its first '=' (an agent's own options may be secrets)
     */
    List<String> matching(Predicate<String> option, boolean upToValue) {
        List<String> found = new ArrayList<>();
        for (String arg : this.commandLine) {
            if (option.test(arg)) {
                found.add(upToValue ? upToValue(arg) : arg);
            }
        }
        for (FromVariable fromVariable : fromEnvironment()) {
            if (option.test(unquoted(fromVariable.option()))) {
                String told = upToValue ? upToValue(fromVariable.option()) : fromVariable.option();
                found.add(told + " (in " + fromVariable.variable() + ")");
            }
        }
        return found;
    }

    /** The JVM's own options ({@code -X…}) from the environment, each after its variable's name; no system property. */
    List<String> jvmOwnFromEnvironment() {
        List<String> found = new ArrayList<>();
        for (FromVariable fromVariable : fromEnvironment()) {
            if (unquoted(fromVariable.option()).startsWith("-X")) {
                found.add(fromVariable.variable() + ":" + fromVariable.option());
            }
        }
        return found;
    }

    private record FromVariable(String variable, String option) {
    }

    /** The options the variables give, variable by variable. */
    private List<FromVariable> fromEnvironment() {
        List<FromVariable> options = new ArrayList<>();
        for (String variable : VARIABLES) {
            String value = this.environment.get(variable);
            if (value != null && !value.isBlank()) {
                for (String option : value.trim().split("\\s+")) {
                    options.add(new FromVariable(variable, option));
                }
            }
        }
        return options;
    }

    /** The launcher's variable may quote an option that holds a space. */
    private static String unquoted(String option) {
        return option.startsWith("\"") || option.startsWith("'") ? option.substring(1) : option;
    }

    private static String upToValue(String option) {
        int equals = option.indexOf('=');
        return (equals < 0) ? option : option.substring(0, equals);
    }
}
