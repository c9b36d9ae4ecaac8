package io.ipcworkers.worker;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.WorkerTask;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerMethod;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The task of a pool worker: boot the worker class (a Spring context for a {@code @Configuration}
 * class, a plain instance otherwise), register its {@code @IpcListener} methods, report ready, then
 * serve messages until the parent asks it to stop or goes away.
 *
 * <p>It travels to the worker in a form of its own ({@link #writeTo}), not through Java
 * serialization, whose start-up costs a new worker 10-20 ms on its way to ready.
 */
public final class ListenerWorkerTask implements WorkerTask {

    private static final long serialVersionUID = 2L;

    private static final String CONFIGURATION_ANNOTATION = "org.springframework.context.annotation.Configuration";

    private final String pool;

    private final String workerClass;

    private final long heartbeatIntervalMillis;

    /** An {@code ArrayList}, so that the task serializes whatever list it was given. */
    private final @Nullable ArrayList<ListenerMethod> listeners;

    /**
     * @param pool the pool this worker belongs to
     * @param workerClass the class to boot
     * @param heartbeatIntervalMillis how often to tell the parent this worker is alive
     * @param listeners the listener methods of a plain worker class, found by the parent; {@code null}
     * for a Spring worker, or to have the worker read its class's annotations itself
     */
    public ListenerWorkerTask(String pool, String workerClass, long heartbeatIntervalMillis,
            @Nullable List<ListenerMethod> listeners) {
        this.pool = pool;
        this.workerClass = workerClass;
        this.heartbeatIntervalMillis = heartbeatIntervalMillis;
        this.listeners = (listeners != null) ? new ArrayList<>(listeners) : null;
    }

    /** Writes this task for {@link #readFrom}. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeUTF(this.pool);
        out.writeUTF(this.workerClass);
        out.writeLong(this.heartbeatIntervalMillis);
        if (this.listeners == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(this.listeners.size());
        for (ListenerMethod listener : this.listeners) {
            listener.writeTo(out);
        }
    }

    public static ListenerWorkerTask readFrom(DataInput in) throws IOException {
        String pool = in.readUTF();
        String workerClass = in.readUTF();
        long heartbeatIntervalMillis = in.readLong();
        int count = in.readInt();
        if (count < -1) {
            throw new IOException("Malformed pool worker task: " + count + " listeners");
        }
        List<ListenerMethod> listeners = null;
        if (count >= 0) {
            listeners = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                listeners.add(ListenerMethod.readFrom(in));
            }
        }
        return new ListenerWorkerTask(pool, workerClass, heartbeatIntervalMillis, listeners);
    }

    /**
     * What a new worker of this class needs to know of its listeners, or {@code null} when it must
     * find them itself: a Spring worker (its context registers them), or a class this JVM cannot load.
     */
    public static @Nullable List<ListenerMethod> listenersOf(String workerClass, ClassLoader loader) {
        try {
            Class<?> type = Class.forName(workerClass, false, loader);
            return isSpringConfiguration(type) ? null : ListenerMethod.of(type);
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return null; // the worker reports it, as it would have anyway
        }
    }

    @Override
    public void run(ChildProcess self, ParentProcess parent) throws Exception {
        ConnectedParentProcess connected = (ConnectedParentProcess) parent;
        connected.dispatched(this.pool); // the worker's beans get this handle, even while its context starts
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> type = Class.forName(this.workerClass, true, loader);
        ListenerRegistry registry = ListenerRegistry.forWorker();
        // the parent lists the listeners of a plain class only; a Spring worker's come from its context
        boolean spring = this.listeners == null && isSpringConfiguration(type);
        AutoCloseable worker = spring ? bootSpring(type, connected, registry, loader) : bootPlain(type, registry);
        try {
            Set<String> topics = registry.topics(this.pool);
            if (topics.isEmpty()) {
                throw new IllegalStateException("Worker class " + this.workerClass + " of pool '" + this.pool
                        + "' has no @IpcListener methods" + (registry.isEmpty() ? "" : " for this pool")
                        + ", so it could never handle a message");
            }
            WorkerDispatcher dispatcher = new WorkerDispatcher(this.pool, connected, registry);
            // written by hand, so that a worker is ready before Jackson has started
            byte[] ready = readyJson(topics);
            connected.send(FrameType.READY, 0, 0, connected.codec().encodeJson("ready", ready));
            Heartbeat.start(connected, java.time.Duration.ofMillis(this.heartbeatIntervalMillis), dispatcher);
            JsonPreinitializer.start(connected.codec());
            relaySignals(connected);
            dispatcher.serveUntilStopped();
        }
        finally {
            try {
                worker.close();
            }
            finally {
                // the pool is done with this worker (its stop, recycling, a restart): what its listeners
                // started and left running would be nobody's once it has exited
                WorkerExit.stopDescendants();
            }
        }
    }

    /** See {@link SignalRelay}; once ready, so that a worker signalled as it starts exits as a JVM does. */
    private static void relaySignals(ConnectedParentProcess connected) {
        try {
            SignalRelay.install(connected);
        }
        catch (LinkageError ex) {
            // a runtime image without jdk.unsupported (sun.misc.Signal): the signals end the worker, as they did
        }
    }

    /**
     * The topics, and the most heap this JVM may take (the parent adds up its workers'). A
     * {@code StringBuilder}, not {@code +}: the first string concatenation in a JVM sets up the JDK's
     * {@code invokedynamic} support for it, a few ms better spent after ready.
     */
    private static byte[] readyJson(Set<String> topics) {
        return new StringBuilder("{\"topics\":").append(MessageCodec.jsonStringArray(topics))
            .append(",\"maxHeap\":").append(Runtime.getRuntime().maxMemory()).append('}')
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    }

    private AutoCloseable bootSpring(Class<?> type, ConnectedParentProcess parent, ListenerRegistry registry,
            ClassLoader loader) throws Exception {
        WorkerBootstrap bootstrap = ServiceLoader.load(WorkerBootstrap.class, loader).findFirst()
            .orElseThrow(() -> new IllegalStateException("Worker class " + this.workerClass
                    + " is a Spring @Configuration, but ipc-workers-spring-boot-autoconfigure is not on the class path"));
        return bootstrap.start(type, parent, registry);
    }

    private AutoCloseable bootPlain(Class<?> type, ListenerRegistry registry) throws Exception {
        Object instance;
        try {
            instance = type.getDeclaredConstructor().newInstance();
        }
        catch (InvocationTargetException ex) { // its own exception, not the reflection's, is what the parent quotes
            throw new IllegalStateException("The constructor of worker class " + this.workerClass + " failed",
                    ex.getCause());
        }
        if (this.listeners != null) {
            registry.registerMethods(instance, this.listeners);
        }
        else {
            registry.registerAnnotatedMethods(instance);
        }
        return (instance instanceof AutoCloseable closeable) ? closeable : new NothingToClose();
    }

    /** A class, not a lambda (each generates a class when first used), on a worker's way to ready. */
    private static final class NothingToClose implements AutoCloseable {

        @Override
        public void close() {
        }
    }

    /** Whether the class is (meta-)annotated with Spring's {@code @Configuration}, found by name. */
    public static boolean isSpringConfiguration(Class<?> type) {
        return hasAnnotationNamed(type.getAnnotations(), new HashSet<>());
    }

    private static boolean hasAnnotationNamed(Annotation[] annotations, Set<Class<?>> seen) {
        for (Annotation annotation : annotations) {
            Class<? extends Annotation> annotationType = annotation.annotationType();
            if (annotationType.getName().equals(CONFIGURATION_ANNOTATION)) {
                return true;
            }
            if (seen.add(annotationType) && hasAnnotationNamed(annotationType.getAnnotations(), seen)) {
                return true;
            }
        }
        return false;
    }
}
