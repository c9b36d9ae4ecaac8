package io.ipcworkers.launch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import io.ipcworkers.WorkerTask;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.FrameWriter;
import io.ipcworkers.channel.SocketConnection;
import io.ipcworkers.worker.ConnectedParentProcess;
import io.ipcworkers.worker.CurrentProcessId;
import io.ipcworkers.worker.LocalChildProcess;
import io.ipcworkers.worker.WorkerExit;
import io.ipcworkers.worker.WorkerJvm;

/**
 * The main class of every child JVM. Reads the bootstrap and its task from stdin, watches stdin for
 * the parent's death, connects and authenticates, and runs the task.
 *
 * <p>Exit codes: 0 the task returned, 1 the task threw (the exception is on stderr), 2 the child could
 * not set itself up, 3 the parent went away.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) {
        Bootstrap bootstrap;
        Connection connection;
        WorkerTask task;
        WorkerJvm.mark();
        startSerialization();
        try {
            bootstrap = Bootstrap.readFrom(System.in);
            watchForParentDeath(System.in);
            // deserializing starts Java serialization and loads the task's classes: do it while connecting
            FutureTask<WorkerTask> deserializing = new FutureTask<>(new Deserialization(bootstrap.task()));
            Thread deserializer = new Thread(deserializing, "ipc-task-loader");
            deserializer.setDaemon(true);
            deserializer.start();
            connection = connect(bootstrap);
            task = deserializing.get();
        }
        catch (ExecutionException ex) {
            setupFailed(ex.getCause());
            return;
        }
        catch (Exception ex) {
            setupFailed(ex);
            return;
        }
        ConnectedParentProcess parent = new ConnectedParentProcess(connection, bootstrap.parentPid());
        WorkerExit.exit(run(task, new LocalChildProcess(), parent));
    }

    /**
     * Java serialization's first use looks for a logging backend, a scan of every jar on the class
     * path; on the way to "ready" only connecting runs beside it. Started first thing, it is done
     * sooner.
     */
    private static void startSerialization() {
        Thread starter = new SerializationStarter();
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * A class, not a lambda, like the other threads started on the way to "ready": the first lambda
     * in a JVM sets up the JDK's lambda support, a few milliseconds better spent off the main thread.
     */
    private static final class SerializationStarter extends Thread {

        SerializationStarter() {
            super("ipc-serialization-init");
        }

        @Override
        public void run() {
            ObjectInputFilter.Config.getSerialFilter();
        }
    }

    private static void setupFailed(Throwable ex) {
        System.err.println("[ipc-workers] Worker could not start: " + ex);
        ex.printStackTrace();
        WorkerExit.exit(WorkerExit.SETUP_FAILED);
    }

    private static int run(WorkerTask task, LocalChildProcess self, ConnectedParentProcess parent) {
        try {
            task.run(self, parent);
            return WorkerExit.OK;
        }
        catch (Throwable ex) {
            ex.printStackTrace();
            // last, so that the few lines the parent quotes from our stderr always include it
            System.err.println("[ipc-workers] Worker task failed: " + summary(ex));
            return WorkerExit.TASK_FAILED;
        }
        finally {
            parent.close();
        }
    }

    private static String summary(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return (root == failure) ? failure.toString() : failure + "; root cause: " + root;
    }

    /**
     * The parent holds our stdin open for as long as it lives. When it dies, even by SIGKILL, the
     * kernel closes the pipe and this read returns end-of-stream: no orphan outlives its parent.
     */
    private static void watchForParentDeath(InputStream stdin) {
        Thread watcher = new ParentWatch(stdin);
        watcher.setDaemon(true);
        watcher.start();
    }

    private static final class ParentWatch extends Thread {

        private final InputStream stdin;

        ParentWatch(InputStream stdin) {
            super("ipc-parent-watch");
            this.stdin = stdin;
        }

        @Override
        public void run() {
            try {
                while (this.stdin.read() >= 0) {
                    // nothing else is sent on stdin
                }
            }
            catch (IOException ex) {
                // a broken pipe means the same
            }
            WorkerExit.exit(WorkerExit.PARENT_GONE);
        }
    }

    private static Connection connect(Bootstrap bootstrap) throws IOException {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(bootstrap.socketPath()));
        SocketConnection connection = new SocketConnection(channel, bootstrap.maxFrameLength());
        byte[] hello = new ChannelServer.Hello(CurrentProcessId.get(), bootstrap.token()).encode();
        connection.send(FrameType.HELLO, 0, 0, FrameWriter.BodyWriter.of(hello));
        return connection;
    }

    private record Deserialization(byte[] task) implements Callable<WorkerTask> {

        @Override
        public WorkerTask call() throws IOException, ClassNotFoundException {
            try (ObjectInputStream in = new ContextClassLoaderObjectInputStream(new ByteArrayInputStream(this.task))) {
                return (WorkerTask) in.readObject();
            }
        }
    }

    /**
     * Resolves classes through the context class loader: in a Spring Boot executable jar the task's
     * classes live in nested jars that only Boot's launcher class loader can see.
     */
    private static final class ContextClassLoaderObjectInputStream extends ObjectInputStream {

        ContextClassLoaderObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass description) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                return super.resolveClass(description);
            }
            try {
                return Class.forName(description.getName(), false, loader);
            }
            catch (ClassNotFoundException ex) {
                return super.resolveClass(description);
            }
        }
    }
}
