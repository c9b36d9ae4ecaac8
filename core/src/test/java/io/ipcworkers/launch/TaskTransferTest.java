package io.ipcworkers.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.ProcessManager;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.WorkerTask;
import io.ipcworkers.dispatch.ListenerMethod;
import io.ipcworkers.worker.ListenerWorkerTask;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class TaskTransferTest {

    @Test
    void aStatelessTaskTravelsAsItsClassNameAndIsCreatedWithoutRunningItsConstructor() throws Exception {
        Stateless task = new Stateless();
        int constructed = Stateless.constructed.get();

        byte[] encoded = TaskTransfer.encode(task);
        WorkerTask decoded = TaskTransfer.decode(encoded);

        assertThat(TaskTransfer.isSerialized(encoded)).isFalse();
        assertThat(new String(encoded, 1, encoded.length - 1, StandardCharsets.UTF_8)).isEqualTo(Stateless.class.getName());
        assertThat(decoded).isInstanceOf(Stateless.class).isNotSameAs(task);
        assertThat(Stateless.constructed).hasValue(constructed); // as Java deserialization would
    }

    @Test
    void transientFieldsAreLeftAtTheirDefaultsAsDeserializationLeavesThem() throws Exception {
        byte[] encoded = TaskTransfer.encode(new TransientCache());

        assertThat(TaskTransfer.isSerialized(encoded)).isFalse();
        assertThat(((TransientCache) TaskTransfer.decode(encoded)).cache).isNull();
    }

    @Test
    void theFirstNonSerializableSuperclassIsConstructedAsInDeserialization() throws Exception {
        byte[] encoded = TaskTransfer.encode(new StatelessOnABase());

        assertThat(TaskTransfer.isSerialized(encoded)).isFalse();
        assertThat(((StatelessOnABase) TaskTransfer.decode(encoded)).baseState).isEqualTo("set by Base()");
    }

    @Test
    void aTaskWithStateIsSerializedWithIt() throws Exception {
        byte[] encoded = TaskTransfer.encode(new WithState("job-7", 42));

        assertThat(TaskTransfer.isSerialized(encoded)).isTrue();
        WithState decoded = (WithState) TaskTransfer.decode(encoded);
        assertThat(decoded.name).isEqualTo("job-7");
        assertThat(decoded.size).isEqualTo(42);
    }

    @Test
    void aTaskWithSerializationHooksKeepsJavaSerialization() throws Exception {
        byte[] encoded = TaskTransfer.encode(new Resolving());

        assertThat(TaskTransfer.isSerialized(encoded)).isTrue();
        assertThat(TaskTransfer.decode(encoded)).isSameAs(Resolving.INSTANCE);
    }

    @Test
    void lambdasEnumsAndRecordsKeepJavaSerialization() throws Exception {
        WorkerTask lambda = (self, parent) -> { };
        for (WorkerTask task : List.of(lambda, EnumTask.ONLY, new RecordTask())) {
            byte[] encoded = TaskTransfer.encode(task);

            assertThat(TaskTransfer.isSerialized(encoded)).as(task.getClass().getName()).isTrue();
            assertThat(TaskTransfer.decode(encoded)).isInstanceOf(WorkerTask.class);
        }
        assertThat(TaskTransfer.decode(TaskTransfer.encode(EnumTask.ONLY))).isSameAs(EnumTask.ONLY);
    }

    @Test
    void aPoolWorkersTaskTravelsInItsOwnFormWithItsListeners() throws Exception {
        for (List<ListenerMethod> listeners : Arrays.asList(ListenerMethod.of(Listeners.class), null)) {
            ListenerWorkerTask task = new ListenerWorkerTask("thumbnails", Listeners.class.getName(), 750, listeners);

            byte[] encoded = TaskTransfer.encode(task);
            WorkerTask decoded = TaskTransfer.decode(encoded);

            assertThat(TaskTransfer.isSerialized(encoded)).isFalse();
            assertThat(decoded).isInstanceOf(ListenerWorkerTask.class);
            assertThat(TaskTransfer.encode(decoded)).isEqualTo(encoded); // nothing lost on the way
        }
        assertThat(ListenerMethod.of(Listeners.class)).hasSize(2);
    }

    @Test
    void malformedTasksAreRejectedWithWhatIsWrong() {
        assertThatIOException().isThrownBy(() -> TaskTransfer.decode(new byte[0])).withMessageContaining("no task");
        assertThatIOException().isThrownBy(() -> TaskTransfer.decode(new byte[] { 7, 1 }))
            .withMessageContaining("unknown task form 7");
        byte[] notATask = ("\u0001" + String.class.getName()).getBytes(StandardCharsets.UTF_8);
        assertThatIOException().isThrownBy(() -> TaskTransfer.decode(notATask))
            .withMessageContaining("java.lang.String is not a WorkerTask");
        byte[] poolWorker = TaskTransfer.encode(new ListenerWorkerTask("p", "W", 1, null));
        assertThatIOException().isThrownBy(() -> TaskTransfer.decode(Arrays.copyOf(poolWorker, poolWorker.length - 2)));
    }

    @Test
    void aStatelessTaskRunsInAChildJvmWithoutItsConstructor() {
        try (ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).build()) {
            ChildProcess child = pm.runProcess(new Stateless());

            Message reply = child.getNextMessage(Duration.ofSeconds(30));

            assertThat(reply.topic()).isEqualTo("stateless");
            assertThat(reply.payloadAs(Map.class)).containsEntry("constructed", 0);
            assertThat(child.onExit().join()).isZero();
        }
    }

    @Test
    void aSerialFilterSetForTheChildJudgesATaskMadeByNameAsItWouldADeserializedOne() {
        List<String> rejecting = List.of("-Djdk.serialFilter=!" + Stateless.class.getName());
        List<String> output = new CopyOnWriteArrayList<>();
        ProcessOutput collecting = (name, pid, stream, line) -> output.add(line);
        try (ProcessManager pm = ProcessManager.builder().output(collecting).jvmArgs(rejecting).build()) {
            ChildProcess child = pm.runProcess(new Stateless());

            assertThat(child.onExit().join()).isNotZero();
            assertThat(output).anyMatch((line) -> line.contains("InvalidClassException")
                    && line.contains(Stateless.class.getName()) && line.contains("filter status: REJECTED"));
        }
        List<String> allowing = List.of("-Djdk.serialFilter=maxdepth=20;!java.lang.Runtime");
        try (ProcessManager pm = ProcessManager.builder().output(ProcessOutput.discard()).jvmArgs(allowing).build()) {
            ChildProcess child = pm.runProcess(new Stateless());

            assertThat(child.getNextMessage(Duration.ofSeconds(30)).topic()).isEqualTo("stateless");
            assertThat(child.onExit().join()).isZero();
        }
    }

    static final class Listeners {

        @IpcListener({ "resize", "crop" })
        void image(Map<String, Object> job) {
        }

        @IpcListener(value = "status", pool = "thumbnails")
        String status(String request, Message message) {
            return "ok";
        }
    }

    /** Counts its constructions; in a child, reports how many there were. */
    static final class Stateless implements WorkerTask {

        static final AtomicInteger constructed = new AtomicInteger();

        Stateless() {
            constructed.incrementAndGet();
        }

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
            parent.sendMessage(Message.of("stateless", Map.of("constructed", constructed.get())));
        }
    }

    static final class TransientCache implements WorkerTask {

        transient String cache = "filled by the constructor";

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
        }
    }

    static class Base {

        final String baseState;

        Base() {
            this.baseState = "set by Base()";
        }
    }

    static final class StatelessOnABase extends Base implements WorkerTask {

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
        }
    }

    static final class WithState implements WorkerTask {

        final String name;

        final int size;

        WithState(String name, int size) {
            this.name = name;
            this.size = size;
        }

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
        }
    }

    static final class Resolving implements WorkerTask {

        static final Resolving INSTANCE = new Resolving();

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
        }

        private Object readResolve() {
            return INSTANCE;
        }
    }

    enum EnumTask implements WorkerTask {

        ONLY;

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
        }
    }

    record RecordTask() implements WorkerTask {

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
        }
    }
}
