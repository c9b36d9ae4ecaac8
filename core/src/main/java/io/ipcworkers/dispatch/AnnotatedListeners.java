package io.ipcworkers.dispatch;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ipcworkers.IpcListener;
import org.jspecify.annotations.Nullable;

/**
 * Finds the {@link IpcListener} methods of a plain class (no Spring), each once: methods the class
 * declares or inherits, public or not, static or not; an overriding method stands for the one it
 * overrides, and takes its annotation if it has none; an annotation on an interface's method counts
 * for the method that implements it, and an annotated default method the class does not override is
 * a listener too. As in the language, a package-private method is overridden only from its own
 * package. Loops and no {@code +}: a worker may do this on its way to ready.
 */
public final class AnnotatedListeners {

    private AnnotatedListeners() {
    }

    /** The listener methods of the class and their annotations, the class's own first. */
    public static Map<Method, IpcListener> of(Class<?> type) {
        List<Class<?>> overridden = new ArrayList<>(); // where an overriding method may find its annotation
        for (Class<?> current = type.getSuperclass(); current != null && current != Object.class;
                current = current.getSuperclass()) {
            overridden.add(current);
        }
        List<Class<?>> interfaces = interfacesOf(type);
        overridden.addAll(interfaces);
        Map<Method, IpcListener> listeners = new LinkedHashMap<>();
        Set<String> overridable = new HashSet<>();
        for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
            for (Method method : current.getDeclaredMethods()) {
                if (method.isBridge() || method.isSynthetic()) {
                    continue;
                }
                IpcListener annotation = annotationOf(method, overridden);
                // an override stands for what it overrides: seen first, it hides what it overrides further up
                boolean first = !isOverridable(method) || overridable.add(overridingKey(method));
                if (isOverridable(method)) { // it overrides the package-private ones of its package too
                    overridable.add(packageKey(method));
                }
                if (annotation != null && first) {
                    listeners.put(method, annotation);
                }
            }
        }
        for (Class<?> candidate : interfaces) {
            for (Method method : candidate.getDeclaredMethods()) {
                IpcListener annotation = method.getAnnotation(IpcListener.class);
                if (annotation != null && method.isDefault() && overridable.add(overridingKey(method))) {
                    listeners.put(method, annotation);
                }
            }
        }
        return listeners;
    }

    /** Its own annotation, or that of a method it overrides or implements. */
    private static @Nullable IpcListener annotationOf(Method method, List<Class<?>> overridden) {
        IpcListener annotation = method.getAnnotation(IpcListener.class);
        if (annotation != null || !isOverridable(method)) {
            return annotation;
        }
        for (Class<?> candidate : overridden) {
            if (candidate == method.getDeclaringClass()) {
                continue;
            }
            try {
                Method other = candidate.getDeclaredMethod(method.getName(), method.getParameterTypes());
                IpcListener declared = overrides(method, other) ? other.getAnnotation(IpcListener.class) : null;
                if (declared != null) {
                    return declared;
                }
            }
            catch (NoSuchMethodException ex) {
                // not declared there
            }
        }
        return null;
    }

    /** Every interface the class implements, directly or through its superclasses and superinterfaces. */
    static List<Class<?>> interfacesOf(Class<?> type) {
        List<Class<?>> interfaces = new ArrayList<>();
        for (Class<?> current = type; current != null; current = current.getSuperclass()) {
            addInterfaces(current, interfaces);
        }
        return interfaces;
    }

    private static void addInterfaces(Class<?> type, List<Class<?>> into) {
        for (Class<?> candidate : type.getInterfaces()) {
            if (!into.contains(candidate)) {
                into.add(candidate);
                addInterfaces(candidate, into);
            }
        }
    }

    /** Instance methods that are not private take part in overriding; the others only hide. */
    private static boolean isOverridable(Method method) {
        return !Modifier.isStatic(method.getModifiers()) && !Modifier.isPrivate(method.getModifiers());
    }

    private static boolean isPackagePrivate(Method method) {
        return (method.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.PRIVATE)) == 0;
    }

    /** Whether {@code method} overrides {@code other}, a method of the same signature further up. */
    private static boolean overrides(Method method, Method other) {
        return isOverridable(other) && (!isPackagePrivate(other)
                || other.getDeclaringClass().getPackageName().equals(method.getDeclaringClass().getPackageName()));
    }

    /**
     * What the methods this one overrides are known by: public and protected ones by their signature,
     * package-private ones by their signature in their package.
     */
    private static String overridingKey(Method method) {
        return isPackagePrivate(method) ? packageKey(method) : signature(method);
    }

    private static String packageKey(Method method) {
        return new StringBuilder(method.getDeclaringClass().getPackageName()).append(' ').append(signature(method)).toString();
    }

    private static String signature(Method method) {
        return new StringBuilder(method.getName()).append(Arrays.toString(method.getParameterTypes())).toString();
    }
}
