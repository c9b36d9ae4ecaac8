package io.ipcworkers.launch;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
        writeStandardStreamsInUtf8();
        try {
            bootstrap = Bootstrap.readFrom(System.in);
            watchForParentDeath(System.in);
            // the task's classes load (and Java serialization starts, for a serialized task) while connecting
            FutureTask<WorkerTask> loading = new FutureTask<>(new TaskLoading(bootstrap.task()));
            Thread loader = new Thread(loading, "ipc-task-loader");
            loader.setDaemon(true);
            loader.start();
            connection = connect(bootstrap);
            task = loading.get();
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
        Runtime.getRuntime().addShutdownHook(new FlushOnExit(parent));
        WorkerExit.exit(run(task, new LocalChildProcess(), parent));
    }

    /**
     * The parent reads a child's stdout and stderr as UTF-8. A JVM writes them in the platform's encoding,
     * which without a locale (a container's, often) is ASCII: every other character would arrive as
     * {@code ?}. Replaced before anything is printed, buffered and flushed as the JVM's own are.
     */
    private static void writeStandardStreamsInUtf8() {
        System.setOut(utf8(FileDescriptor.out));
        System.setErr(utf8(FileDescriptor.err));
    }

    private static PrintStream utf8(FileDescriptor stream) {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(stream), 128), true, StandardCharsets.UTF_8);
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
     * kernel closes the pipe and this read returns end-of-stream: no orphan outlives its parent, nor
     * what the orphan started ({@link WorkerExit#parentGone}).
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
            WorkerExit.parentGone();
        }
    }

    /**
     * Sends what is batched for the parent when the JVM exits by other ways than the task's end (a
     * task or listener calling {@code System.exit}, a signal): that would otherwise be lost. Bounded,
     * so that a parent that does not read cannot keep this process from exiting.
     */
    static final class FlushOnExit extends Thread {

        static final long MAX_WAIT_MILLIS = 1000;

        private final ConnectedParentProcess parent;

        FlushOnExit(ConnectedParentProcess parent) {
            super("ipc-flush-on-exit");
            this.parent = parent;
        }

        @Override
        public void run() {
            Thread flushing = new Thread(this.parent::flush, "ipc-flush");
            flushing.setDaemon(true); // left behind if the socket stays full: the JVM does not wait for it
            flushing.start();
            try {
                flushing.join(MAX_WAIT_MILLIS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Connection connect(Bootstrap bootstrap) throws IOException {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(bootstrap.socketPath()));
        SocketConnection connection = new SocketConnection(channel, bootstrap.maxFrameLength());
        connection.describePeer("The parent process");
        byte[] hello = new ChannelServer.Hello(CurrentProcessId.get(), bootstrap.token()).encode();
        connection.send(FrameType.HELLO, 0, 0, FrameWriter.BodyWriter.of(hello));
        return connection;
    }

    /** A class, not a lambda: the first lambda in a JVM sets up the JDK's lambda support. */
    private static final class TaskLoading implements Callable<WorkerTask> {

        private final byte[] task;

        TaskLoading(byte[] task) {
            this.task = task;
        }

        @Override
        public WorkerTask call() throws IOException, ClassNotFoundException {
            return TaskTransfer.decode(this.task);
        }
    }
}
