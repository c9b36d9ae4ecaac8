package io.ipcworkers.dispatch;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.dispatch.elsewhere.BaseElsewhere;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which methods of a plain class are listeners: each once, as Spring's lookup finds them on a bean. */
class AnnotatedListenersTest {

    @Test
    void eachListenerIsFoundOnceWhereverItsAnnotationIs() {
        Map<Method, IpcListener> found = AnnotatedListeners.of(Worker.class);

        assertThat(found.keySet()).extracting((method) -> method.getDeclaringClass().getSimpleName() + "." + method.getName())
            .containsExactlyInAnyOrder("Worker.reannotated", "Worker.inheritedAnnotation", "Worker.implemented",
                    "Worker.hidden", "Base.hidden", "Base.plain", "Defaults.byDefault");
        assertThat(found.values()).extracting((annotation) -> annotation.value()[0])
            .containsExactlyInAnyOrder("re", "inherited", "from-interface", "worker-hidden", "base-hidden", "plain",
                    "default");
    }

    @Test
    void listenersFoundOnAnInterfaceOrASuperclassAreCalledOnTheWorker() throws Exception {
        Worker worker = new Worker();
        ListenerRegistry direct = ListenerRegistry.forWorker();
        direct.registerAnnotatedMethods(worker);
        ListenerRegistry described = ListenerRegistry.forWorker(); // as a worker registers the parent's list
        described.registerMethods(worker, ListenerMethod.of(Worker.class));

        for (ListenerRegistry registry : List.of(direct, described)) {
            for (String topic : List.of("re", "inherited", "from-interface", "default", "worker-hidden", "base-hidden")) {
                new ListenerDispatcher(registry).dispatch(new Delivery(Message.of(topic, null), null, null, "p"), "test");
            }
        }
        assertThat(worker.calls).containsExactly("Worker.re", "Worker.inherited", "Worker.implemented", "default",
                "Worker.hidden", "Base.hidden", "Worker.re", "Worker.inherited", "Worker.implemented", "default",
                "Worker.hidden", "Base.hidden");
    }

    @Test
    void aPackagePrivateMethodIsOverriddenOnlyFromItsOwnPackage() throws Exception {
        Map<Method, IpcListener> found = AnnotatedListeners.of(SubclassHere.class);

        assertThat(found).hasSize(4);
        assertThat(found.entrySet()).extracting((listener) -> listener.getKey().getDeclaringClass().getSimpleName() + "."
                + listener.getKey().getName() + " " + listener.getValue().value()[0])
            .containsExactlyInAnyOrder("SubclassHere.packagePrivate sub-package-private",
                    "BaseElsewhere.packagePrivate base-package-private", "BaseElsewhere.annotatedHereOnly base-only",
                    "SubclassHere.overriddenFromAnywhere base-protected");

        SubclassHere worker = new SubclassHere();
        ListenerRegistry registry = ListenerRegistry.forWorker();
        registry.registerMethods(worker, ListenerMethod.of(SubclassHere.class));
        for (String topic : List.of("sub-package-private", "base-package-private", "base-only", "base-protected")) {
            new ListenerDispatcher(registry).dispatch(new Delivery(Message.of(topic, null), null, null, "p"), "test");
        }
        assertThat(worker.calls).containsExactly("SubclassHere.packagePrivate", "BaseElsewhere.packagePrivate",
                "BaseElsewhere.annotatedHereOnly", "SubclassHere.overriddenFromAnywhere");
    }

    interface Contract {

        @IpcListener("from-interface")
        void implemented();
    }

    interface Defaults {

        @IpcListener("default")
        default void byDefault() {
            ((Worker) this).calls.add("default");
        }
    }

    static class Base {

        final List<String> calls = new ArrayList<>();

        @IpcListener("re")
        void reannotated() {
            this.calls.add("Base.re");
        }

        @IpcListener("inherited")
        void inheritedAnnotation() {
            this.calls.add("Base.inherited");
        }

        @IpcListener("base-hidden")
        private void hidden() {
            this.calls.add("Base.hidden");
        }

        @IpcListener("plain")
        void plain() {
        }
    }

    static class SubclassHere extends BaseElsewhere {

        @IpcListener("sub-package-private")
        void packagePrivate() { // does not override BaseElsewhere's, in another package
            this.calls.add("SubclassHere.packagePrivate");
        }

        void annotatedHereOnly() { // neither overrides BaseElsewhere's nor takes its annotation
            this.calls.add("SubclassHere.annotatedHereOnly");
        }

        @Override
        protected void overriddenFromAnywhere() {
            this.calls.add("SubclassHere.overriddenFromAnywhere");
        }
    }

    static class Worker extends Base implements Contract, Defaults {

        @Override
        @IpcListener("re")
        void reannotated() {
            this.calls.add("Worker.re");
        }

        @Override
        void inheritedAnnotation() {
            this.calls.add("Worker.inherited");
        }

        @Override
        public void implemented() {
            this.calls.add("Worker.implemented");
        }

        @IpcListener("worker-hidden")
        private void hidden() {
            this.calls.add("Worker.hidden");
        }
    }
}
