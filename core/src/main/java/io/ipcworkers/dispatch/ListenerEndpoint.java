package io.ipcworkers.dispatch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;
import org.jspecify.annotations.Nullable;

/**
 * One {@link IpcListener} method, ready to invoke: its topics, its pool filter and how to resolve
 * each parameter. Parameter problems are found when the endpoint is created, not per message.
 */
public final class ListenerEndpoint {

    /** The arguments of a method without parameters: one array for every call, which reflection only reads. */
    private static final Object[] NO_ARGUMENTS = {};

    private final Object bean;

    private final Method method;

    private final List<String> topics;

    private final String pool;

    private final List<Argument> arguments;

    private ListenerEndpoint(Object bean, Method method, List<String> topics, String pool, List<Argument> arguments) {
        this.bean = bean;
        this.method = method;
        this.topics = topics;
        this.pool = pool;
        this.arguments = arguments;
    }

    /**
     * @param bean the object to invoke the method on
     * @param method the method to invoke (on a proxy: the proxy's method)
     * @param annotation its {@code @IpcListener}
     * @throws IllegalArgumentException when it names no topic or has a parameter that cannot be resolved
     */
    public static ListenerEndpoint create(Object bean, Method method, IpcListener annotation) {
        return create(bean, method, annotation, (value) -> value);
    }

    /**
     * As {@link #create(Object, Method, IpcListener)}, with each topic and the pool passed through
     * {@code resolver} first (in Spring: placeholders and expressions); a topic it resolves to nothing
     * is refused like a blank one.
     */
    public static ListenerEndpoint create(Object bean, Method method, IpcListener annotation,
            Function<String, @Nullable String> resolver) {
        List<String> topics = new ArrayList<>();
        for (String topic : topicsOf(annotation)) {
            topics.add(Objects.requireNonNullElse(resolver.apply(topic), ""));
        }
        return create(bean, method, topics, Objects.requireNonNullElse(resolver.apply(annotation.pool()), ""));
    }

    /** The topics an {@code @IpcListener} names, in {@code value} and in {@code topics}. */
    public static List<String> topicsOf(IpcListener annotation) {
        List<String> topics = new ArrayList<>(Arrays.asList(annotation.value()));
        topics.addAll(Arrays.asList(annotation.topics()));
        return topics;
    }

    /**
     * @param topics the topics of its {@code @IpcListener} ({@code value} and {@code topics})
     * @param pool the pool of its {@code @IpcListener}
     */
    static ListenerEndpoint create(Object bean, Method method, List<String> topics, String pool) {
        Objects.requireNonNull(bean, "'bean' must not be null");
        List<String> distinct = distinctTopics(method, topics);
        method.trySetAccessible();
        return new ListenerEndpoint(bean, method, distinct, pool, resolvers(method));
    }

    /**
     * Refuses, without an object to call it on, what {@link #create} would refuse: so that the parent
     * finds a plain worker class's broken listener before starting a worker JVM that would fail on it.
     * @throws IllegalArgumentException when it names no topic or has a parameter that cannot be resolved
     */
    public static void validate(Method method, IpcListener annotation) {
        distinctTopics(method, topicsOf(annotation));
        resolvers(method);
    }

    /** @throws IllegalArgumentException when the method has a parameter of this type, saying why it may not */
    void refuseParameter(Class<?> type, String because) {
        refuseParameter(this.method, type, because);
    }

    static void refuseParameter(Method method, Class<?> type, String because) {
        for (Class<?> parameter : method.getParameterTypes()) {
            if (parameter == type) {
                throw new IllegalArgumentException("@IpcListener method " + describe(method) + " takes a "
                        + type.getSimpleName() + ", but " + because);
            }
        }
    }

    private static List<String> distinctTopics(Method method, List<String> topics) {
        Set<String> distinct = new LinkedHashSet<>(topics);
        if (distinct.isEmpty() || hasBlank(distinct)) {
            throw new IllegalArgumentException("@IpcListener method " + describe(method)
                    + " must name at least one non-blank topic");
        }
        return List.copyOf(distinct);
    }

    /** A loop, not a stream: endpoints are created on a new worker's way to ready (see {@link DeliveryPart}). */
    private static boolean hasBlank(Set<String> topics) {
        for (String topic : topics) {
            if (topic.isBlank()) {
                return true;
            }
        }
        return false;
    }

    private static List<Argument> resolvers(Method method) {
        boolean payloadSeen = false;
        List<Argument> resolvers = new ArrayList<>();
        for (Parameter parameter : method.getParameters()) {
            Class<?> type = parameter.getType();
            if (type == Message.class) {
                resolvers.add(DeliveryPart.MESSAGE);
            }
            else if (type == ChildProcess.class) {
                resolvers.add(DeliveryPart.SENDER);
            }
            else if (type == ParentProcess.class) {
                resolvers.add(DeliveryPart.PARENT);
            }
            else if (!payloadSeen) {
                payloadSeen = true;
                resolvers.add(new PayloadResolver(parameter.getParameterizedType()));
            }
            else {
                throw new IllegalArgumentException("@IpcListener method " + describe(method)
                        + " has more than one payload parameter: only one parameter may take the payload; "
                        + "the others must be Message, ChildProcess or ParentProcess");
            }
        }
        return List.copyOf(resolvers);
    }

    /**
     * How a parameter's argument is found, from a delivery's parts rather than a {@link Delivery}: a
     * worker then makes no object per message to hold them.
     */
    private interface Argument {

        @Nullable Object resolve(MessageSource message, @Nullable ChildProcess sender, @Nullable ParentProcess parent);
    }

    /**
     * A parameter that takes part of the delivery itself. Not method references: endpoints are made
     * on a new worker's way to ready, and each lambda or stream there generates classes when first
     * used, a millisecond or so apiece.
     */
    private enum DeliveryPart implements Argument {

        MESSAGE, SENDER, PARENT;

        @Override
        public @Nullable Object resolve(MessageSource message, @Nullable ChildProcess sender,
                @Nullable ParentProcess parent) {
            if (this == MESSAGE) {
                return message.message();
            }
            return (this == SENDER) ? sender : parent;
        }
    }

    /**
     * Converts the payload to a parameter's type. Jackson's type for it is built on first use: a
     * worker announces it is ready before it needs any of Jackson.
     */
    private static final class PayloadResolver implements Argument {

        private final java.lang.reflect.Type type;

        private volatile @Nullable JavaType javaType;

        PayloadResolver(java.lang.reflect.Type type) {
            this.type = type;
        }

        @Override
        public @Nullable Object resolve(MessageSource message, @Nullable ChildProcess sender,
                @Nullable ParentProcess parent) {
            JavaType resolved = this.javaType;
            if (resolved == null) {
                resolved = TypeHolder.TYPES.constructType(this.type);
                this.javaType = resolved;
            }
            return message.message().payloadAs(resolved);
        }
    }

    /** Initialized when the first payload is converted. */
    private static final class TypeHolder {

        static final TypeFactory TYPES = TypeFactory.createDefaultInstance();
    }

    public List<String> topics() {
        return this.topics;
    }

    /** The pool filter; empty for all pools. */
    public String pool() {
        return this.pool;
    }

    boolean accepts(String pool) {
        return this.pool.isEmpty() || this.pool.equals(pool);
    }

    /**
     * Invokes the method.
     * @return its return value; for a method that returns a future, what the future completes with
     * @throws io.ipcworkers.PayloadConversionException when the payload does not convert
     * @throws Exception what the method threw, or its future failed with, unwrapped
     */
    public @Nullable Object invoke(Delivery delivery) throws Exception {
        return invoke(delivery, delivery.sender(), delivery.parent());
    }

    /** {@link #invoke(Delivery)}, given the delivery's parts. */
    @Nullable Object invoke(MessageSource message, @Nullable ChildProcess sender, @Nullable ParentProcess parent)
            throws Exception {
        Object[] args = NO_ARGUMENTS;
        if (!this.arguments.isEmpty()) {
            args = new Object[this.arguments.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = this.arguments.get(i).resolve(message, sender, parent);
            }
        }
        Object result;
        try {
            result = this.method.invoke(this.bean, args);
        }
        catch (InvocationTargetException ex) {
            throw unwrapped(ex.getTargetException());
        }
        if (result instanceof CompletionStage<?> stage) { // first: a minimal stage is a Future that refuses get()
            return resultOf(stage.toCompletableFuture());
        }
        return (result instanceof Future<?> future) ? resultOf(future) : result;
    }

    /**
     * What an asynchronous listener's future completes with, waited for on the calling thread: the
     * reply is its value (not the future itself, written as JSON), and the messages after it still
     * wait their turn, as for any listener.
     */
    private static @Nullable Object resultOf(Future<?> future) throws Exception {
        try {
            return future.get();
        }
        catch (ExecutionException ex) {
            throw unwrapped((ex.getCause() != null) ? ex.getCause() : ex);
        }
    }

    private static Exception unwrapped(Throwable failure) {
        if (failure instanceof Exception exception) {
            return exception;
        }
        throw (Error) failure;
    }

    /** {@code ClassName.method(ParamType, ...)}, for error messages and logs. */
    public String description() {
        return describe(this.method);
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName() + "("
                + String.join(", ", Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
    }

    @Override
    public String toString() {
        return description() + " " + this.topics;
    }
}
