package io.ipcworkers.launch;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.channel.Connection;
import io.ipcworkers.channel.Frame;
import io.ipcworkers.channel.FrameTooLargeException;
import io.ipcworkers.channel.FrameType;
import io.ipcworkers.channel.SocketConnection;

/**
 * The parent's end of the channel: a Unix domain socket in a fresh directory that only the current
 * user can enter (0700), named after this process so that the next parent can remove it should this
 * one be killed before it could. Each child is expected under a one-time random token; a connection is
 * handed to the launcher only after its first frame is a {@code HELLO} carrying a token we issued and
 * the pid of the process we started with it. Anything else is refused, logged, and closed.
 */
final class ChannelServer implements AutoCloseable {

    private static final System.Logger logger = System.getLogger(ChannelServer.class.getName());

    private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

    /**
     * The largest HELLO frame accepted (a pid and a 64-character token need under 100 bytes): a peer
     * not yet known must not make us allocate up to the maximum frame length.
     */
    private static final int MAX_HELLO_FRAME_LENGTH = 1024;

    /**
     * Handshakes under way beyond one per child we expect: more connections are closed at once, so
     * that whatever opens connections without completing them cannot have a thread and a connection's
     * buffers made for each.
     */
    private static final int MAX_UNEXPECTED_HANDSHAKES = 16;

    private static final SecureRandom random = new SecureRandom();

    private final Path directory;

    private final Path socketPath;

    private final ServerSocketChannel server;

    private final int maxFrameLength;

    private final Map<String, Expected> expected = new ConcurrentHashMap<>();

    private final ScheduledExecutorService handshakes;

    private final AtomicInteger handshaking = new AtomicInteger();

    private final AtomicLong refused = new AtomicLong();

    private volatile boolean closed;

    private record Expected(long pid, CompletableFuture<Connection> connection) {
    }

    /**
     * The socket's directory, for this user alone. Its place is {@code java.io.tmpdir}, which a hardened
     * container (a read-only root file system) may leave unwritable: the error says so.
     */
    private static Path createDirectory() throws IOException {
        try {
            return Files.createTempDirectory(StaleChannelDirectories.prefixForThisProcess(),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (IOException ex) {
            // the JDK's message is often the path alone ("NoSuchFileException: /x/ipcw-1-2")
            throw new IOException("cannot create its directory in java.io.tmpdir (" + System.getProperty("java.io.tmpdir")
                    + "; it must be a directory this user can write to): " + ex.getClass().getSimpleName() + ": "
                    + ex.getMessage(), ex);
        }
    }

    ChannelServer(int maxFrameLength) throws IOException {
        this.maxFrameLength = maxFrameLength;
        this.directory = createDirectory();
        StaleChannelDirectories.sweepBeside(this.directory);
        this.socketPath = this.directory.resolve("s");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            this.server.bind(UnixDomainSocketAddress.of(this.socketPath));
        }
        catch (IOException | RuntimeException ex) { // a path too long for a Unix socket, most likely
            this.server.close();
            Files.deleteIfExists(this.directory);
            throw new IOException("cannot bind " + this.socketPath + " (" + this.socketPath.toString().length()
                    + " characters, in java.io.tmpdir): " + ex.getMessage(), ex);
        }
        this.handshakes = Executors.newScheduledThreadPool(1, (task) -> {
            Thread thread = new Thread(task, "ipc-handshake-timer");
            thread.setDaemon(true);
            return thread;
        });
        Thread acceptor = new Thread(this::acceptLoop, "ipc-accept-" + this.directory.getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path socketPath() {
        return this.socketPath;
    }

    Path directory() {
        return this.directory;
    }

    /** A fresh 256-bit token, hex encoded. */
    static String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Registers a child we are about to start; the future completes when it has connected. */
    CompletableFuture<Connection> expect(String token, long pid) {
        CompletableFuture<Connection> connection = new CompletableFuture<>();
        this.expected.put(digest(token), new Expected(pid, connection));
        connection.whenComplete((result, failure) -> this.expected.remove(digest(token)));
        if (this.closed) {
            // closed while this child was started, after close() failed the connections it found (read after
            // the put, as close() sets the flag before it looks): the child cannot connect, and must not be
            // reported as a child that failed by itself
            connection.completeExceptionally(closing());
        }
        return connection;
    }

    private static IllegalStateException closing() {
        return new IllegalStateException("the worker socket was closed: its manager or pool is shutting down");
    }

    private void acceptLoop() {
        while (!this.closed) {
            try {
                SocketChannel channel = this.server.accept();
                if (this.handshaking.incrementAndGet() > this.expected.size() + MAX_UNEXPECTED_HANDSHAKES) {
                    this.handshaking.decrementAndGet();
                    closeQuietly(channel);
                    logRefusal();
                    continue;
                }
                Thread handshake = new Thread(() -> {
                    try {
                        handshake(channel);
                    }
                    finally {
                        this.handshaking.decrementAndGet();
                    }
                }, "ipc-handshake");
                handshake.setDaemon(true);
                handshake.start();
            }
            catch (ClosedChannelException ex) {
                return;
            }
            catch (IOException ex) {
                if (!this.closed) {
                    logger.log(Level.WARNING, "Accepting a worker connection failed", ex);
                }
            }
        }
    }

    /** The first refusal, then every thousandth: a flood of connections does not flood the log as well. */
    private void logRefusal() {
        long count = this.refused.incrementAndGet();
        if (count == 1 || count % 1000 == 0) {
            logger.log(Level.WARNING, "Refused a connection to the worker socket " + this.socketPath + ": "
                    + MAX_UNEXPECTED_HANDSHAKES + " more handshakes than children expected are under way (" + count
                    + " refused so far)");
        }
    }

    private void handshake(SocketChannel channel) {
        SocketConnection connection;
        try {
            connection = new SocketConnection(channel, this.maxFrameLength);
        }
        catch (IOException ex) {
            closeQuietly(channel);
            return;
        }
        ScheduledFuture<?> timeout;
        try {
            timeout = this.handshakes.schedule(connection::close, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (RejectedExecutionException ex) {
            connection.close(); // accepted as the server closed, which told the children it expected why
            return;
        }
        try {
            Expected child = introducedChild(connection);
            timeout.cancel(false);
            connection.limitIncomingFrames(this.maxFrameLength);
            if (!child.connection().complete(connection)) {
                connection.close();
            }
        }
        catch (IOException | RuntimeException ex) {
            connection.close();
            if (!this.closed) {
                String why = (ex instanceof FrameTooLargeException large) ? "its first frame announced "
                        + large.length() + " bytes; a HELLO has at most " + MAX_HELLO_FRAME_LENGTH : ex.getMessage();
                logger.log(Level.WARNING, "Refused a connection to the worker socket " + this.socketPath
                        + ": failed handshake (" + why + ")");
            }
        }
    }

    /**
     * The child expected with the token the connection's first frame presents, from the pid it was
     * issued to.
     * @throws IpcProtocolException when the first frame is no HELLO, or its token is unknown or another's
     */
    private Expected introducedChild(SocketConnection connection) throws IOException {
        connection.limitIncomingFrames(MAX_HELLO_FRAME_LENGTH);
        Frame hello = connection.readFrame();
        if (hello == null || hello.type() != FrameType.HELLO) {
            throw new IpcProtocolException("expected a HELLO frame first, got "
                    + ((hello != null) ? hello.type() : "end of stream"));
        }
        Hello parsed = Hello.decode(hello.body());
        Expected child = this.expected.get(digest(parsed.token()));
        if (child == null) {
            throw new IpcProtocolException("unknown token from pid " + parsed.pid());
        }
        if (child.pid() != parsed.pid()) {
            throw new IpcProtocolException("token issued to pid " + child.pid() + " presented by pid " + parsed.pid());
        }
        return child;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        }
        catch (IOException ex) {
            // nothing to release
        }
    }

    /** SHA-256 of a token: lookups compare digests, so timing reveals nothing of the tokens we hold. */
    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required of every JVM", ex);
        }
    }

    @Override
    public void close() {
        this.closed = true;
        try {
            this.server.close();
        }
        catch (IOException ex) {
            // already closed
        }
        this.handshakes.shutdownNow();
        IllegalStateException closing = closing();
        this.expected.values().forEach((child) -> child.connection().completeExceptionally(closing));
        try {
            Files.deleteIfExists(this.socketPath);
            try (var files = Files.list(this.directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(this.directory);
        }
        catch (IOException ex) {
            logger.log(Level.DEBUG, "Could not delete " + this.directory, ex);
        }
    }

    /** The body of a {@code HELLO} frame: {@code int64 pid | UTF token}. */
    record Hello(long pid, String token) {

        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(this.pid);
                out.writeUTF(this.token);
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
            return bytes.toByteArray();
        }

        static Hello decode(byte[] body) {
            try {
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
                return new Hello(in.readLong(), in.readUTF());
            }
            catch (IOException ex) {
                throw new IpcProtocolException("malformed HELLO frame", ex);
            }
        }
    }

}
