package io.ipcworkers.dispatch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ListenerMethodTest {

    @Test
    void aWorkerRegistersTheSameListenersFromTheParentsListAsFromItsAnnotations() throws Exception {
        List<ListenerMethod> described = travel(ListenerMethod.of(Worker.class));

        ListenerRegistry fromList = ListenerRegistry.forWorker();
        fromList.registerMethods(new Worker(), described);
        ListenerRegistry fromAnnotations = ListenerRegistry.forWorker();
        fromAnnotations.registerAnnotatedMethods(new Worker());

        assertThat(fromList.topics()).isEqualTo(fromAnnotations.topics())
            .containsExactly("count", "inherited", "many", "one", "other", "pooled", "statically");
        assertThat(fromList.find("pooled", "a")).hasSize(1);
        assertThat(fromList.find("pooled", "b")).isEmpty();
    }

    @Test
    void aListenerEveryWorkerWouldFailOnIsRefusedInTheParent() {
        assertThatIllegalArgumentException().isThrownBy(() -> ListenerMethod.of(TwoPayloads.class))
            .withMessage("@IpcListener method " + TwoPayloads.class.getName() + ".both(String, Map) has more than one "
                    + "payload parameter: only one parameter may take the payload; the others must be Message, "
                    + "ChildProcess or ParentProcess");
        assertThatIllegalArgumentException().isThrownBy(() -> ListenerMethod.of(NoTopic.class))
            .withMessage("@IpcListener method " + NoTopic.class.getName() + ".none() must name at least one non-blank "
                    + "topic");
        assertThatIllegalArgumentException().isThrownBy(() -> ListenerMethod.of(TakesAChild.class))
            .withMessage("@IpcListener method " + TakesAChild.class.getName() + ".child(String, ChildProcess) takes a "
                    + "ChildProcess, but listeners in a worker are never given one (they may take the ParentProcess, to "
                    + "send it messages)");
    }

    @Test
    void eachSideRefusesAListenerThatTakesTheProcessHandleItNeverGives() {
        assertThatIllegalArgumentException().isThrownBy(() -> ListenerRegistry.forWorker().registerAnnotatedMethods(new TakesAChild()))
            .withMessageContaining("takes a ChildProcess, but listeners in a worker are never given one");
        assertThatIllegalArgumentException().isThrownBy(() -> ListenerRegistry.forParent().registerAnnotatedMethods(new TakesAParent()))
            .withMessage("@IpcListener method " + TakesAParent.class.getName() + ".parent(ParentProcess) takes a "
                    + "ParentProcess, but listeners in the parent are never given one (they may take the ChildProcess "
                    + "that sent the message)");
        ListenerRegistry.forParent().registerAnnotatedMethods(new TakesAChild());
        ListenerRegistry.forWorker().registerAnnotatedMethods(new TakesAParent());
    }

    static class TakesAChild {

        @IpcListener("child")
        void child(String payload, ChildProcess sender) {
        }
    }

    static class TakesAParent {

        @IpcListener("parent")
        void parent(ParentProcess parent) {
        }
    }

    @Test
    void overloadsAndPrimitiveParametersFindTheirOwnMethod() throws Exception {
        Worker worker = new Worker();
        ListenerRegistry registry = ListenerRegistry.forWorker();
        registry.registerMethods(worker, travel(ListenerMethod.of(Worker.class)));

        invoke(registry, "one", Message.of("one", "x"));
        invoke(registry, "many", Message.of("many", List.of("x", "y")));
        invoke(registry, "count", Message.of("count", 3));
        invoke(registry, "inherited", Message.of("inherited", null));
        invoke(registry, "statically", Message.of("statically", "z"));

        assertThat(worker.calls).containsExactly("one x", "many [x, y]", "count 3", "inherited");
        assertThat(Worker.staticCalls).containsExactly("statically z");
    }

    @Test
    void aWorkerWhoseClassLacksTheMethodSaysSo() throws Exception {
        List<ListenerMethod> described = travel(ListenerMethod.of(Worker.class));

        assertThatIllegalStateException().isThrownBy(() -> ListenerRegistry.forWorker().registerMethods(new Base(), described))
            .withMessageContaining("the worker's class differs from the parent's");
    }

    @Test
    void theParentLeavesAClassItCannotLoadToTheWorker() {
        assertThat(ListenerWorkerTask.listenersOf("com.example.Missing", getClass().getClassLoader())).isNull();
        assertThat(ListenerWorkerTask.listenersOf(Worker.class.getName(), getClass().getClassLoader())).hasSize(6);
    }

    private static void invoke(ListenerRegistry registry, String topic, Message message) throws Exception {
        new ListenerDispatcher(registry).dispatch(new Delivery(message, null, null, "a"), "test");
    }

    /** Through Java serialization, as in a worker's task. */
    @SuppressWarnings("unchecked")
    private static List<ListenerMethod> travel(List<ListenerMethod> methods) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(methods));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (List<ListenerMethod>) in.readObject();
        }
    }

    static class Base {

        final List<String> calls = new ArrayList<>();

        @IpcListener("inherited")
        void inherited() {
            this.calls.add("inherited");
        }
    }

    static class Worker extends Base {

        static final List<String> staticCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

        /** Static: registered like the others (it was silently left out). */
        @IpcListener("statically")
        static void statically(String value) {
            staticCalls.add("statically " + value);
        }

        @IpcListener("one")
        void handle(String value) {
            this.calls.add("one " + value);
        }

        @IpcListener("many")
        void handle(List<String> values) {
            this.calls.add("many " + values);
        }

        @IpcListener(topics = { "count", "other" })
        void count(int count) {
            this.calls.add("count " + count);
        }

        @IpcListener(value = "pooled", pool = "a")
        Map<String, Object> pooled(Message message) {
            return Map.of();
        }
    }

    public static class TwoPayloads {

        @IpcListener("both")
        public void both(String text, Map<String, Object> more) {
        }
    }

    public static class NoTopic {

        @IpcListener
        public void none() {
        }
    }
}
