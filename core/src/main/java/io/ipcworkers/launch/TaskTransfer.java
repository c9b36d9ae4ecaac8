package io.ipcworkers.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.ipcworkers.WorkerTask;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link WorkerTask} travels to its child in the bootstrap: one form byte, then the task's
 * Java serialization; or, for a task whose class carries no state, only its class name; or, for a
 * pool worker's task, that task's own compact form.
 *
 * <p>A stateless task (no serialized fields in its serializable classes, no serialization hooks) has
 * nothing for Java serialization to carry, yet the child would pay for starting it: its first use
 * looks for a logging backend in every jar on the class path, about 10–20 ms of a worker's start on
 * two cores. Such a task is instead created in the child the way deserialization would create it
 * (its own constructors do not run; its first non-serializable superclass's no-arg constructor does;
 * see {@link SerializationConstructors}).
 */
final class TaskTransfer {

    private static final byte SERIALIZED = 0;

    private static final byte BY_CLASS_NAME = 1;

    private static final byte POOL_WORKER = 2;

    private TaskTransfer() {
    }

    /**
     * The task as the bootstrap carries it.
     * @throws IllegalArgumentException when the task is not serializable
     */
    static byte[] encode(WorkerTask task) {
        if (task instanceof ListenerWorkerTask poolWorker) {
            return encodePoolWorker(poolWorker);
        }
        Class<?> type = task.getClass();
        if (!StatelessClasses.includes(type)) {
            return JavaSerialization.write(task, SERIALIZED);
        }
        byte[] name = type.getName().getBytes(StandardCharsets.UTF_8);
        byte[] encoded = new byte[1 + name.length];
        encoded[0] = BY_CLASS_NAME;
        System.arraycopy(name, 0, encoded, 1, name.length);
        return encoded;
    }

    private static byte[] encodePoolWorker(ListenerWorkerTask task) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(POOL_WORKER);
        try {
            task.writeTo(new DataOutputStream(bytes));
        }
        catch (IOException ex) {
            throw new IllegalArgumentException("Cannot encode the task of a pool worker: " + ex, ex);
        }
        return bytes.toByteArray();
    }

    /** Whether reading this task starts Java serialization. */
    static boolean isSerialized(byte[] encoded) {
        return encoded.length == 0 || encoded[0] == SERIALIZED;
    }

    /**
     * Recreates the task in the child. Classes are resolved through the context class loader first:
     * in a Spring Boot executable jar the task's classes live in nested jars only Boot's launcher
     * class loader can see.
     */
    static WorkerTask decode(byte[] encoded) throws IOException, ClassNotFoundException {
        if (encoded.length == 0) {
            throw new IOException("Malformed bootstrap: no task");
        }
        if (encoded[0] == BY_CLASS_NAME) {
            return instantiate(new String(encoded, 1, encoded.length - 1, StandardCharsets.UTF_8));
        }
        if (encoded[0] == POOL_WORKER) {
            return ListenerWorkerTask.readFrom(new DataInputStream(new ByteArrayInputStream(encoded, 1, encoded.length - 1)));
        }
        if (encoded[0] != SERIALIZED) {
            throw new IOException("Malformed bootstrap: unknown task form " + encoded[0]);
        }
        return JavaSerialization.read(encoded, 1);
    }

    private static WorkerTask instantiate(String className) throws IOException, ClassNotFoundException {
        Class<?> type = loadClass(className);
        if (!WorkerTask.class.isAssignableFrom(type)) {
            throw new IOException("Malformed bootstrap: " + className + " is not a WorkerTask");
        }
        SerialFilterCheck.check(type);
        Constructor<?> constructor = SerializationConstructors.of(type);
        if (constructor == null) {
            throw new IOException("Cannot create " + className + ": its first non-serializable superclass has no "
                    + "accessible no-arg constructor");
        }
        try {
            return (WorkerTask) constructor.newInstance();
        }
        catch (ReflectiveOperationException ex) {
            throw new IOException("Cannot create " + className + ": " + ex, ex);
        }
    }

    /**
     * A deserialization filter set for the child ({@code jdk.serialFilter} or {@code jdk.serialFilterFactory},
     * as a system or security property) judges a task made by name as it would judge the same task
     * deserialized: each serializable class of its hierarchy, the task's own first. Without one, the
     * filter machinery is left alone: its first use starts the logging lookup this form avoids.
     */
    private static final class SerialFilterCheck implements ObjectInputFilter.FilterInfo {

        private static final List<String> PROPERTIES = List.of("jdk.serialFilter", "jdk.serialFilterFactory");

        private final Class<?> serialClass;

        private SerialFilterCheck(Class<?> serialClass) {
            this.serialClass = serialClass;
        }

        static void check(Class<?> type) throws InvalidClassException {
            if (!isConfigured()) {
                return;
            }
            ObjectInputFilter filter = ObjectInputFilter.Config.getSerialFilterFactory()
                .apply(null, ObjectInputFilter.Config.getSerialFilter());
            if (filter == null) {
                return;
            }
            for (Class<?> level = type; level != null && Serializable.class.isAssignableFrom(level);
                    level = level.getSuperclass()) {
                if (filter.checkInput(new SerialFilterCheck(level)) == ObjectInputFilter.Status.REJECTED) {
                    throw new InvalidClassException(level.getName(), "filter status: REJECTED");
                }
            }
        }

        private static boolean isConfigured() {
            for (String property : PROPERTIES) {
                if (System.getProperty(property) != null || Security.getProperty(property) != null) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Class<?> serialClass() {
            return this.serialClass;
        }

        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }

    /** As Java serialization would, falls back to the system class loader. */
    private static Class<?> loadClass(String className) throws ClassNotFoundException {
        Class<?> type = viaContextLoader(className);
        return (type != null) ? type : Class.forName(className, false, ClassLoader.getSystemClassLoader());
    }

    /** The class as the context class loader finds it; null where there is none or it does not know it. */
    private static @Nullable Class<?> viaContextLoader(String className) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            return null;
        }
        try {
            return Class.forName(className, false, loader);
        }
        catch (ClassNotFoundException ex) {
            return null;
        }
    }

    /**
     * Task classes whose instances Java serialization would carry as nothing but the class: only its
     * default mechanism is used (no hooks, not {@code Externalizable}, not a record, enum, proxy or
     * lambda), and no serializable class in the hierarchy has a non-transient instance field. Fields
     * of non-serializable superclasses are set by their constructor in both forms. Parent side only.
     */
    private static final class StatelessClasses {

        /** Methods through which a class takes part in its own serialization. */
        private static final Set<String> SERIALIZATION_HOOKS = Set.of("writeObject", "readObject",
                "readObjectNoData", "writeReplace", "readResolve", "writeExternal", "readExternal");

        private static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
            @Override
            protected Boolean computeValue(Class<?> type) {
                return isStateless(type);
            }
        };

        private StatelessClasses() {
        }

        static boolean includes(Class<?> type) {
            return STATELESS.get(type);
        }

        private static boolean isStateless(Class<?> type) {
            if (!Serializable.class.isAssignableFrom(type) || Externalizable.class.isAssignableFrom(type)
                    || type.isRecord() || type.isEnum() || type.isHidden() || Proxy.isProxyClass(type)) {
                return false;
            }
            for (Class<?> level = type; level != null && level != Object.class; level = level.getSuperclass()) {
                if (Arrays.stream(level.getDeclaredMethods()).anyMatch(StatelessClasses::isSerializationHook)) {
                    return false;
                }
                if (Serializable.class.isAssignableFrom(level) && declaresSerializedState(level)) {
                    return false;
                }
            }
            // none when the first non-serializable superclass has no usable no-arg constructor: Java
            // serialization then reports that in the child, as it always has
            return SerializationConstructors.of(type) != null;
        }

        private static boolean isSerializationHook(Method method) {
            return SERIALIZATION_HOOKS.contains(method.getName()) && !Modifier.isStatic(method.getModifiers());
        }

        /**
         * A non-transient instance field, or {@code serialPersistentFields}. Transient fields do not
         * count: deserialization leaves them at their defaults, as creating the task by class does.
         */
        private static boolean declaresSerializedState(Class<?> level) {
            for (Field field : level.getDeclaredFields()) {
                if ((field.getModifiers() & (Modifier.STATIC | Modifier.TRANSIENT)) == 0
                        || field.getName().equals("serialPersistentFields")) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The form for every other task; its own class, so that a child that does not need it loads none of it. */
    private static final class JavaSerialization {

        private JavaSerialization() {
        }

        static byte[] write(WorkerTask task, byte form) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(form);
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(task);
            }
            catch (NotSerializableException ex) {
                throw new IllegalArgumentException("WorkerTask " + task.getClass().getName() + " is not serializable: "
                        + ex.getMessage() + " is not Serializable. A task lambda may capture only serializable "
                        + "values; capture the fields it needs, not 'this' of a non-serializable class", ex);
            }
            catch (IOException ex) {
                throw new IllegalArgumentException("WorkerTask " + task.getClass().getName() + " cannot be serialized: "
                        + ex, ex);
            }
            return bytes.toByteArray();
        }

        static WorkerTask read(byte[] bytes, int offset) throws IOException, ClassNotFoundException {
            InputStream in = new ByteArrayInputStream(bytes, offset, bytes.length - offset);
            try (ObjectInputStream objects = new ContextClassLoaderObjectInputStream(in)) {
                return (WorkerTask) objects.readObject();
            }
        }
    }

    /** Resolves classes through the context class loader first; {@link #decode} says why. */
    private static final class ContextClassLoaderObjectInputStream extends ObjectInputStream {

        ContextClassLoaderObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass description) throws IOException, ClassNotFoundException {
            Class<?> type = viaContextLoader(description.getName());
            return (type != null) ? type : super.resolveClass(description);
        }
    }
}
