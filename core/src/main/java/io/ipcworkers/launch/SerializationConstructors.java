package io.ipcworkers.launch;

import java.lang.reflect.Constructor;

import org.jspecify.annotations.Nullable;

/**
 * The constructor Java deserialization uses to create an instance of a serializable class: the no-arg
 * constructor of its first non-serializable superclass, its own constructors not run. It comes from
 * {@code sun.reflect.ReflectionFactory}, which the JDK keeps accessible (module {@code jdk.unsupported})
 * for serialization libraries. Looked up by name: a compile-time reference to it draws javac's
 * "internal proprietary API" warning on every build.
 */
final class SerializationConstructors {

    private SerializationConstructors() {
    }

    /**
     * @return the constructor, or {@code null} when that superclass has no accessible no-arg
     * constructor or the runtime lacks {@code jdk.unsupported}
     */
    static @Nullable Constructor<?> of(Class<?> type) {
        try {
            Class<?> factoryType = Class.forName("sun.reflect.ReflectionFactory");
            Object factory = factoryType.getMethod("getReflectionFactory").invoke(null);
            return (Constructor<?>) factoryType.getMethod("newConstructorForSerialization", Class.class)
                .invoke(factory, type);
        }
        catch (ReflectiveOperationException | LinkageError ex) {
            return null;
        }
    }
}
