package io.ipcworkers.codec;

import java.util.ServiceLoader;

import tools.jackson.databind.json.JsonMapper;

/**
 * The mapper used wherever the application gave none: Jackson's defaults plus the Jackson modules
 * found on the class path, which is what Spring Boot's auto-configured {@code JsonMapper} has unless
 * told otherwise. So a plain worker (its JVM has the parent's class path) reads what a Boot parent
 * writes with, say, the Kotlin or Guava module, and a core parent and its children agree with each other.
 * {@link JsonMapperCustomizer}s listed in {@code META-INF/services} change it, on both sides.
 */
public final class DefaultJsonMapper {

    private DefaultJsonMapper() {
    }

    /** The shared instance, built when first asked for: a worker that never converts a payload never starts Jackson. */
    public static JsonMapper get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {

        static final JsonMapper INSTANCE = build(DefaultJsonMapper.class.getClassLoader());

        private static JsonMapper build(ClassLoader classLoader) {
            JsonMapper.Builder builder = JsonMapper.builder().findAndAddModules(classLoader);
            for (JsonMapperCustomizer customizer : ServiceLoader.load(JsonMapperCustomizer.class, classLoader)) {
                customizer.customize(builder);
            }
            return builder.build();
        }
    }
}
