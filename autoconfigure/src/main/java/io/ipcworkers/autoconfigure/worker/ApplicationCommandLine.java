package io.ipcworkers.autoconfigure.worker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application's command-line arguments, which its Spring workers run with: {@code --app.limit=5} in
 * a Kubernetes manifest's {@code args} is the application's configuration as much as its files are, and a
 * worker, a JVM of its own, would not see it. So they take the same precedence in a worker as in the
 * application, over its configuration files and environment variables, but for what a worker gets
 * otherwise: a pool's own {@code environment} wins over what the application passes on, and settings
 * passed on as the application resolved them (its active profiles) hold the command line's already.
 */
public final class ApplicationCommandLine {

    private static final Log logger = LogFactory.getLog(ApplicationCommandLine.class);

    private static final String VARIABLE = "IPCWORKERS_APPLICATION_ARGS";

    /** Linux's limit on one variable, {@code NAME=value} and its terminating zero byte. */
    private static final int MAX_VARIABLE_BYTES = 128 * 1024 - VARIABLE.length() - 2;

    private ApplicationCommandLine() {
    }

    /**
     * The variable in which the application gives a Spring worker its arguments (as a JSON array), for that
     * worker's environment: none when it has none.
     * @param arguments the application's arguments
     * @param setOtherwise the variables the worker gets otherwise (its pool's {@code environment}, the
     * settings passed on resolved), whose properties the arguments are not to set
     */
    public static Map<String, String> variables(List<String> arguments, Set<String> setOtherwise) {
        Set<String> setOtherwiseProperties = new HashSet<>();
        for (String variable : setOtherwise) {
            setOtherwiseProperties.add(uniform(variable));
        }
        List<String> passed = new ArrayList<>();
        for (String argument : arguments) {
            String property = optionName(argument);
            if (property == null || !(setOtherwiseProperties.contains(uniform(property))
                    || setOtherwiseProperties.contains(uniform(property.replace('-', '_'))))) {
                passed.add(argument);
            }
        }
        if (passed.isEmpty()) {
            return Map.of();
        }
        String value = JsonMapper.shared().writeValueAsString(passed);
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_VARIABLE_BYTES) {
            logger.warn("The application's command line is too long (" + value.length()
                    + " characters as JSON) to pass on to its Spring workers in an environment variable: they start "
                    + "without it. Give them its settings in a configuration file or their pool's environment");
            return Map.of();
        }
        return Map.of(VARIABLE, value);
    }

    /**
     * The arguments the application gave this worker, none when it gave none.
     * @param environment the worker's environment variables ({@code System::getenv})
     */
    static String[] arguments(UnaryOperator<@Nullable String> environment) {
        String value = environment.apply(VARIABLE);
        if (value == null) {
            return new String[0];
        }
        try {
            return JsonMapper.shared().readValue(value, String[].class);
        }
        catch (JacksonException ex) {
            throw new IllegalStateException("The application's arguments in " + VARIABLE + " are not a JSON array of "
                    + "strings: is the variable set by hand?", ex);
        }
    }

    /** The property {@code --name=value} or {@code --name} sets, as Spring reads a command line; null for others. */
    private static @Nullable String optionName(String argument) {
        if (!argument.startsWith("--") || argument.length() == 2) {
            return null;
        }
        int equals = argument.indexOf('=');
        return (equals < 0) ? argument.substring(2) : argument.substring(2, equals);
    }

    /**
     * A property name and the environment variable that sets it in one form: {@code spring.main.web-application-type}
     * and {@code SPRING_MAIN_WEBAPPLICATIONTYPE} alike, as Spring Boot maps a variable to a property (which
     * also takes {@code SPRING_MAIN_WEB_APPLICATION_TYPE}: the caller tries the name with its dashes as
     * underscores too).
     */
    private static String uniform(String name) {
        StringBuilder uniform = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '[') {
                uniform.append('_');
            }
            else if (c != '-' && c != ']') {
                uniform.append(c);
            }
        }
        return uniform.toString().toUpperCase(Locale.ROOT);
    }
}
