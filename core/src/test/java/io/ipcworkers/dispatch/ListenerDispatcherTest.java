package io.ipcworkers.dispatch;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.NoListenerException;
import io.ipcworkers.ParentProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Dispatching a message given the parts of its delivery, as a worker does for every message. */
class ListenerDispatcherTest {

    private final Listeners listeners = new Listeners();

    @Test
    void eachParameterIsGivenItsPartOfTheDeliveryOnEitherSide() throws Exception {
        ParentProcess parent = stub(ParentProcess.class);
        ChildProcess sender = stub(ChildProcess.class);
        ParentListeners parentListeners = new ParentListeners();
        ListenerRegistry parentRegistry = ListenerRegistry.forParent();
        parentRegistry.registerAnnotatedMethods(parentListeners);
        ListenerDispatcher inWorker = new ListenerDispatcher(registry(ListenerRegistry.forWorker()));
        ListenerDispatcher inParent = new ListenerDispatcher(parentRegistry);
        Message order = Message.of("order", new Order("tea", 2));

        assertThat(inWorker.dispatch("order", () -> order, null, parent, "cafe", "worker")).isEqualTo("2 tea");
        assertThat(inParent.dispatch("order", () -> order, sender, null, "cafe", "parent"))
            .isEqualTo("2 tea for ChildProcess");
        assertThat(this.listeners.seen).containsExactly(order, parent);
    }

    @Test
    void aListenerForAnotherPoolIsPassedOverAndNoneLeftIsSaidSo() throws Exception {
        ListenerDispatcher dispatcher = new ListenerDispatcher(registry(ListenerRegistry.forWorker()));

        assertThat(dispatcher.dispatch("tick", () -> Message.of("tick", null), null, null, "bakery", "worker"))
            .isNull();
        assertThatExceptionOfType(NoListenerException.class)
            .isThrownBy(() -> dispatcher.dispatch("counted", () -> Message.of("counted", null), null, null, "bakery",
                    "worker"))
            .withMessageStartingWith("No listener for topic 'counted' in pool 'bakery' (worker; listened topics: ");
        assertThat(this.listeners.ticks).isEqualTo(1);
    }

    @Test
    void aMessageIsAskedForOnlyByAListenerThatTakesItOrItsPayload() throws Exception {
        ListenerDispatcher dispatcher = new ListenerDispatcher(registry(ListenerRegistry.forWorker()));
        List<String> asked = new ArrayList<>();
        Message order = Message.of("order", new Order("cake", 1));

        dispatcher.dispatch("tick", () -> {
            asked.add("tick");
            return Message.of("tick", null);
        }, null, null, "bakery", "worker");
        dispatcher.dispatch("order", () -> {
            asked.add("order");
            return order;
        }, null, null, "bakery", "worker");

        assertThat(this.listeners.ticks).isEqualTo(1);
        assertThat(asked).containsExactly("order", "order"); // for its payload and for itself
    }

    @Test
    void aListenerWithoutParametersIsCalledWithoutAnArrayMadeForItsArguments() throws Exception {
        Method tick = Listeners.class.getMethod("tick");
        ListenerEndpoint endpoint = ListenerEndpoint.create(this.listeners, tick, tick.getAnnotation(IpcListener.class));
        Message tickMessage = Message.of("tick", null);
        MessageSource message = () -> tickMessage;
        for (int i = 0; i < 1_000; i++) {
            endpoint.invoke(message, null, null); // reflection makes its accessor once
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int calls = 10_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            endpoint.invoke(message, null, null);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        // an empty array per call would be 16 bytes each: 160,000 bytes
        assertThat(allocated).isLessThan(calls * 8L);
        assertThat(this.listeners.ticks).isEqualTo(1_000 + calls);
    }

    private ListenerRegistry registry(ListenerRegistry registry) {
        registry.registerAnnotatedMethods(this.listeners);
        return registry;
    }

    @SuppressWarnings("unchecked")
    private static <T> T stub(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            return switch (method.getName()) {
                case "toString" -> type.getSimpleName();
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> throw new UnsupportedOperationException(method.getName());
            };
        });
    }

    public record Order(String item, int count) {
    }

    public static class Listeners {

        final List<Object> seen = new ArrayList<>();

        int ticks;

        @IpcListener("order")
        public String order(Order order, Message message, ParentProcess parent) {
            this.seen.add(message);
            this.seen.add(parent);
            return order.count() + " " + order.item();
        }

        @IpcListener("tick")
        public void tick() {
            this.ticks++;
        }

        @IpcListener(value = "counted", pool = "cafe")
        public void counted() {
        }
    }

    public static class ParentListeners {

        @IpcListener("order")
        public String order(ChildProcess sender, Order order) {
            return order.count() + " " + order.item() + " for " + sender;
        }
    }
}
