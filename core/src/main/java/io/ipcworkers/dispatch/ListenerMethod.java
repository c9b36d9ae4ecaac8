package io.ipcworkers.dispatch;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;

/**
 * An {@link IpcListener} method of a plain worker class, described by names: the parent reads the
 * annotations once and hands a new worker this list, so that the worker finds its listeners without
 * reading annotations itself. Reading the first annotation in a JVM generates proxy classes for it
 * and its meta-annotations, some 8 ms of a pool worker's start.
 */
public final class ListenerMethod implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String declaringClass;

    private final String name;

    private final String[] parameterTypes;

    private final String[] topics;

    private final String pool;

    private ListenerMethod(Method method, IpcListener annotation) {
        this(method.getDeclaringClass().getName(), method.getName(),
                Arrays.stream(method.getParameterTypes()).map(Class::getName).toArray(String[]::new),
                ListenerEndpoint.topicsOf(annotation).toArray(String[]::new), annotation.pool());
    }

    private ListenerMethod(String declaringClass, String name, String[] parameterTypes, String[] topics, String pool) {
        this.declaringClass = declaringClass;
        this.name = name;
        this.parameterTypes = parameterTypes;
        this.topics = topics;
        this.pool = pool;
    }

    /**
     * The listener methods of a plain worker class, as {@link AnnotatedListeners} finds them.
     * @throws IllegalArgumentException when one of them names no topic, has a parameter that cannot be
     *     resolved or takes a {@code ChildProcess} (never given in a worker): each worker would fail on it at start
     */
    public static List<ListenerMethod> of(Class<?> type) {
        List<ListenerMethod> methods = new ArrayList<>();
        for (Map.Entry<Method, IpcListener> listener : AnnotatedListeners.of(type).entrySet()) {
            Method method = listener.getKey();
            IpcListener annotation = listener.getValue();
            ListenerEndpoint.validate(method, annotation);
            ListenerEndpoint.refuseParameter(method, ChildProcess.class, ListenerRegistry.NO_CHILD_IN_A_WORKER);
            methods.add(new ListenerMethod(method, annotation));
        }
        return methods;
    }

    /**
     * Writes this for {@link #readFrom}. Every string is a name or an annotation value from a class
     * file, so none is too long for {@link DataOutput#writeUTF}.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(this.declaringClass);
        out.writeUTF(this.name);
        writeStrings(out, this.parameterTypes);
        writeStrings(out, this.topics);
        out.writeUTF(this.pool);
    }

    public static ListenerMethod readFrom(DataInput in) throws IOException {
        return new ListenerMethod(in.readUTF(), in.readUTF(), readStrings(in), readStrings(in), in.readUTF());
    }

    private static void writeStrings(DataOutput out, String[] strings) throws IOException {
        out.writeShort(strings.length);
        for (String string : strings) {
            out.writeUTF(string);
        }
    }

    private static String[] readStrings(DataInput in) throws IOException {
        String[] strings = new String[in.readUnsignedShort()];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = in.readUTF();
        }
        return strings;
    }

    /** The endpoint for this method of the bean, which is of the class this was made from. */
    ListenerEndpoint endpointFor(Object bean) {
        return ListenerEndpoint.create(bean, find(bean.getClass()), Arrays.asList(this.topics), this.pool);
    }

    private Method find(Class<?> type) {
        List<Class<?>> declaring = new ArrayList<>(); // an interface's default method is declared there
        for (Class<?> current = type; current != null; current = current.getSuperclass()) {
            declaring.add(current);
        }
        declaring.addAll(AnnotatedListeners.interfacesOf(type));
        for (Class<?> current : declaring) {
            if (current.getName().equals(this.declaringClass)) {
                for (Method method : current.getDeclaredMethods()) {
                    if (method.getName().equals(this.name) && hasParameterTypes(method)) {
                        return method;
                    }
                }
            }
        }
        throw new IllegalStateException("No method " + this.declaringClass + "." + this.name + "("
                + String.join(", ", this.parameterTypes) + ") in " + type.getName()
                + ": the worker's class differs from the parent's");
    }

    private boolean hasParameterTypes(Method method) {
        Class<?>[] types = method.getParameterTypes();
        if (types.length != this.parameterTypes.length) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            if (!types[i].getName().equals(this.parameterTypes[i])) {
                return false;
            }
        }
        return true;
    }
}
