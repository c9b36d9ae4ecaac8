package io.ipcworkers.dispatch;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.ParentProcess;

/**
 * Listener endpoints by topic, of one side: the parent's or a worker's. Each side gives its listeners
 * one kind of process handle and never the other, so a listener that asks for the other is refused
 * when it is registered instead of being called with {@code null}. Thread-safe; lookups do not lock.
 */
public final class ListenerRegistry {

    static final String NO_PARENT_IN_THE_PARENT = "listeners in the parent are never given one "
            + "(they may take the ChildProcess that sent the message)";

    static final String NO_CHILD_IN_A_WORKER = "listeners in a worker are never given one "
            + "(they may take the ParentProcess, to send it messages)";

    private final Map<String, List<ListenerEndpoint>> byTopic = new ConcurrentHashMap<>();

    private final Class<?> absentHandle;

    private final String absentBecause;

    private ListenerRegistry(Class<?> absentHandle, String absentBecause) {
        this.absentHandle = absentHandle;
        this.absentBecause = absentBecause;
    }

    /** The parent's listeners, for messages from workers. */
    public static ListenerRegistry forParent() {
        return new ListenerRegistry(ParentProcess.class, NO_PARENT_IN_THE_PARENT);
    }

    /** A worker's listeners, for messages from the parent. */
    public static ListenerRegistry forWorker() {
        return new ListenerRegistry(ChildProcess.class, NO_CHILD_IN_A_WORKER);
    }

    /**
     * @throws IllegalArgumentException when the listener takes the process handle this side never gives
     */
    public void register(ListenerEndpoint endpoint) {
        endpoint.refuseParameter(this.absentHandle, this.absentBecause);
        for (String topic : endpoint.topics()) {
            endpointsOf(topic).add(endpoint);
        }
    }

    /** Not {@code computeIfAbsent} with a lambda: a new worker registers on its way to ready. */
    private List<ListenerEndpoint> endpointsOf(String topic) {
        List<ListenerEndpoint> endpoints = this.byTopic.get(topic);
        if (endpoints != null) {
            return endpoints;
        }
        List<ListenerEndpoint> created = new CopyOnWriteArrayList<>();
        endpoints = this.byTopic.putIfAbsent(topic, created);
        return (endpoints != null) ? endpoints : created;
    }

    /**
     * Registers every {@link IpcListener} method of a plain object (no Spring), as
     * {@link AnnotatedListeners} finds them.
     * @return how many methods were registered
     */
    public int registerAnnotatedMethods(Object bean) {
        Map<Method, IpcListener> methods = AnnotatedListeners.of(bean.getClass());
        for (Map.Entry<Method, IpcListener> method : methods.entrySet()) {
            register(ListenerEndpoint.create(bean, method.getKey(), method.getValue()));
        }
        return methods.size();
    }

    /** Registers the listener methods the parent found on the bean's class, without reading annotations. */
    public void registerMethods(Object bean, List<ListenerMethod> methods) {
        for (ListenerMethod method : methods) {
            register(method.endpointFor(bean));
        }
    }

    /** The listeners for a topic that accept messages of the given pool, in registration order. */
    public List<ListenerEndpoint> find(String topic, String pool) {
        List<ListenerEndpoint> endpoints = this.byTopic.get(topic);
        if (endpoints == null) {
            return List.of();
        }
        List<ListenerEndpoint> accepted = new ArrayList<>(endpoints.size());
        for (ListenerEndpoint endpoint : endpoints) {
            if (endpoint.accepts(pool)) {
                accepted.add(endpoint);
            }
        }
        return accepted;
    }

    /**
     * Every listener for a topic, whatever its pool, in registration order: a snapshot that stays as
     * it is while it is iterated.
     */
    List<ListenerEndpoint> endpoints(String topic) {
        List<ListenerEndpoint> endpoints = this.byTopic.get(topic);
        return (endpoints != null) ? endpoints : List.of();
    }

    /** Whether any listener takes this topic from this pool; {@link #find} without the list. */
    public boolean hasListener(String topic, String pool) {
        List<ListenerEndpoint> endpoints = this.byTopic.get(topic);
        if (endpoints != null) {
            for (ListenerEndpoint endpoint : endpoints) {
                if (endpoint.accepts(pool)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The listeners that take messages of one pool only and name a pool not among {@code pools}: a
     * misspelt pool, most likely, since they would never be called.
     */
    public List<ListenerEndpoint> forPoolsOtherThan(Set<String> pools) {
        Set<ListenerEndpoint> found = new LinkedHashSet<>();
        for (List<ListenerEndpoint> endpoints : this.byTopic.values()) {
            for (ListenerEndpoint endpoint : endpoints) {
                if (!endpoint.pool().isEmpty() && !pools.contains(endpoint.pool())) {
                    found.add(endpoint);
                }
            }
        }
        return List.copyOf(found);
    }

    public boolean isEmpty() {
        return this.byTopic.isEmpty();
    }

    /**
     * Every topic with a listener that takes messages of this pool, sorted. A loop, not a stream: a
     * worker announces them on its way to ready.
     */
    public Set<String> topics(String pool) {
        Set<String> topics = new TreeSet<>();
        for (String topic : this.byTopic.keySet()) {
            if (hasListener(topic, pool)) {
                topics.add(topic);
            }
        }
        return topics;
    }

    /** Every topic with at least one listener, sorted. */
    public Set<String> topics() {
        return new TreeSet<>(this.byTopic.keySet());
    }
}
