package io.ipcworkers.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.ipcworkers.IpcException;
import io.ipcworkers.IpcTimeoutException;
import io.ipcworkers.ProcessOutput;
import io.ipcworkers.WorkerTask;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.FrameType;
import org.jspecify.annotations.Nullable;

/**
 * Starts child JVMs and connects them: encodes the task (refusing one that cannot be serialized
 * before any JVM starts), starts {@code java} with the parent's class path, hands over the bootstrap
 * (with the task) on stdin, and waits for the authenticated connection. Each child's processes carry
 * a {@link ProcessTreeMark}, so that what it leaves running when it fails (a pool worker: whenever it
 * exits) can be stopped ({@link LeftoverSweeper}).
 */
public final class ChildLauncher implements AutoCloseable {

    private static final long PARENT_PID = ProcessHandle.current().pid();

    /**
     * How long a child seen to exit may still be seen to connect. The handshake is read on a thread of
     * the server's and takes a moment; a child that never connected is reported this much later.
     */
    static final long CONNECTION_AFTER_EXIT_MILLIS = 500;

    /** How long a close waits for the archive a stopped worker wrote to be kept (a move, once it has exited). */
    private static final long ARCHIVE_KEPT_MILLIS = 5_000;

    private final LauncherSettings settings;

    private final ChannelServer server;

    private final JavaCommand javaCommand;

    private final LeftoverSweeper leftovers = new LeftoverSweeper();

    private final @Nullable ClassDataArchives archives;

    /**
     * @throws IpcException when the worker socket cannot be opened
     * @throws ClassDataDirectoryException when the class data sharing directory cannot be created
     */
    public ChildLauncher(LauncherSettings settings) {
        this.settings = settings;
        this.javaCommand = JavaCommand.forCurrentJvm();
        Path archiveDirectory = settings.classDataSharingDirectory();
        this.archives = (archiveDirectory != null) ? new ClassDataArchives(archiveDirectory,
                this.javaCommand.classPath(), this.javaCommand.isBootExecutableJar()) : null;
        try {
            this.server = new ChannelServer(settings.maxFrameLength());
        }
        catch (IOException ex) {
            throw new IpcException("Cannot open the worker socket: " + ex.getMessage(), ex);
        }
    }

    /** Where children connect; diagnostics and tests only, never handed to a child on its command line. */
    public java.nio.file.Path socketPath() {
        return this.server.socketPath();
    }

    public LauncherSettings settings() {
        return this.settings;
    }

    /**
     * Starts a child that runs the task.
     * @throws IllegalArgumentException when the task is not serializable
     * @throws io.ipcworkers.ProcessExitedException when the child exits before it connects
     * @throws IpcTimeoutException when it does not connect within the start timeout
     */
    public LaunchedChild launch(WorkerTask task, LaunchOptions options) {
        byte[] encodedTask = TaskTransfer.encode(task);
        if (encodedTask.length > this.settings.maxFrameLength()) {
            throw new IllegalArgumentException("WorkerTask " + task.getClass().getName() + " serializes to "
                    + encodedTask.length + " bytes, more than the maximum frame length of "
                    + this.settings.maxFrameLength() + " bytes");
        }
        String token = ChannelServer.newToken();
        ProcessTreeMark mark = ProcessTreeMark.random();
        Process process = start(options, mark);
        this.leftovers.track(mark, process, options);
        OutputTail tail = new OutputTail();
        OutputPump stdout = new OutputPump(process.getInputStream(), this.settings.output(), options.name(),
                process.pid(), ProcessOutput.Stream.STDOUT, tail);
        OutputPump stderr = new OutputPump(process.getErrorStream(), this.settings.output(), options.name(),
                process.pid(), ProcessOutput.Stream.STDERR, tail);
        stdout.start();
        stderr.start();
        CompletableFuture<Connection> connecting = this.server.expect(token, process.pid());
        try {
            new Bootstrap(this.server.socketPath(), token, this.settings.maxFrameLength(), PARENT_PID, encodedTask)
                .writeTo(process.getOutputStream());
            Connection connection = awaitConnection(connecting, process);
            LaunchedChild child = new LaunchedChild(options.name(), process, connection, List.of(stdout, stderr), tail);
            return child;
        }
        catch (IOException | RuntimeException ex) {
            connecting.cancel(false);
            connecting.thenAccept(Connection::close); // one that came through after all is not left open unowned
            process.toHandle().destroyForcibly(); // not Process.destroyForcibly: it closes the output the pumps still read
            if (ex instanceof IpcException ipc) {
                throw ipc;
            }
            LaunchedChild unconnected = new LaunchedChild(options.name(), process, Connection.CLOSED, List.of(stdout, stderr), tail);
            throw unconnected.exitedException("before it could be given its task", 2000);
        }
    }

    private Connection awaitConnection(CompletableFuture<Connection> connecting, Process process) {
        return awaitConnection(connecting, process.onExit(), this.settings.startTimeout(), process.pid());
    }

    /**
     * The child's connection, once its handshake is through.
     * @throws IllegalStateException when the child exited without connecting
     */
    static Connection awaitConnection(CompletableFuture<Connection> connecting, CompletableFuture<?> exited,
            Duration startTimeout, long pid) {
        try {
            CompletableFuture.anyOf(connecting, exited).get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            // seen to exit first: a child that connects, runs a quick task and exits can be through all
            // of it before its handshake, on a thread of the server's, is through here
            return connecting.get(connecting.isDone() ? 0 : CONNECTION_AFTER_EXIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            if (exited.isDone()) {
                throw new IllegalStateException("exited");
            }
            throw new IpcTimeoutException("Child " + pid + " did not connect within " + startTimeout
                    + " (raise the start timeout for slow-starting workers)");
        }
        catch (ExecutionException ex) { // the server closed before the child connected
            throw new IpcException("Child " + pid + " could not connect: " + ex.getCause().getMessage(),
                    ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IpcException("Interrupted while starting a child", ex);
        }
    }

    private Process start(LaunchOptions options, ProcessTreeMark mark) {
        List<String> jvmArgs = new ArrayList<>(this.settings.defaultJvmArgs());
        jvmArgs.addAll(options.jvmArgs());
        ProcessBuilder builder = new ProcessBuilder();
        builder.environment().putAll(options.environment());
        builder.environment().put(mark.variable(), "1");
        String group = options.classDataGroup();
        ClassDataArchives.Use sharing = (this.archives != null && group != null)
                ? this.archives.forNextChild(group, options.classesBeforeReady(), jvmArgs, builder.environment())
                : ClassDataArchives.Use.NONE;
        jvmArgs.addAll(sharing.jvmArgs());
        Process process;
        try {
            process = builder.command(this.javaCommand.build(jvmArgs, WorkerMain.class.getName(), this.server.directory()))
                .start();
        }
        catch (IOException ex) {
            sharing.childExited(-1);
            throw new IpcException("Cannot start a child JVM: " + ex.getMessage(), ex);
        }
        if (sharing.writes()) {
            process.onExit().thenAccept((exited) -> sharing.childExited(exited.exitValue()));
        }
        return process;
    }

    /**
     * Closes the socket, and stops what the children that have exited left running (those still
     * running are looked after when they exit): the owner has stopped its children by now, and the
     * application may be about to exit.
     */
    @Override
    public void close() {
        this.server.close();
        this.leftovers.sweepExited();
        if (this.archives != null) {
            this.archives.awaitWriters(ARCHIVE_KEPT_MILLIS);
        }
    }
}
