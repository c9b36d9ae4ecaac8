package io.ipcworkers.codec;

import tools.jackson.databind.json.JsonMapper;

/**
 * Customizes the {@link DefaultJsonMapper}: the mapper of plain workers, of a {@code ProcessManager}
 * given none, and of {@code Message.of}'s conversions. Implementations are found with
 * {@link java.util.ServiceLoader}, listed in {@code META-INF/services/io.ipcworkers.codec.JsonMapperCustomizer};
 * a worker JVM has the parent's class path, so parent and workers find the same ones.
 *
 * <p>In a Spring Boot parent, payloads are converted with Boot's {@code JsonMapper} instead. A class that
 * implements this and Boot's {@code JsonMapperBuilderCustomizer} (the same method) and is declared as a bean
 * as well gives both sides the same settings:
 *
 * <pre>{@code
 * public class SnakeCaseJson implements JsonMapperCustomizer, JsonMapperBuilderCustomizer {
 *     public void customize(JsonMapper.Builder builder) {
 *         builder.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
 *     }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface JsonMapperCustomizer {

    /** Called once, after Jackson's modules on the class path were added, before the mapper is built. */
    void customize(JsonMapper.Builder builder);
}
