package io.ipcworkers.launch;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.OptionalLong;

/**
 * Removes the socket directories that parents killed with SIGKILL (or lost with their machine) could
 * not delete. A directory is named after its parent's pid, and is removed only when it belongs to the
 * same user, that pid is not running here, and its socket accepts no connection: a parent in another
 * pid namespace sharing the temporary directory still answers on its socket.
 */
final class StaleChannelDirectories {

    static final String PREFIX = "ipcw-";

    private static final System.Logger logger = System.getLogger(StaleChannelDirectories.class.getName());

    private StaleChannelDirectories() {
    }

    /** The prefix of a new socket directory's name for this JVM. */
    static String prefixForThisProcess() {
        return PREFIX + ProcessHandle.current().pid() + "-";
    }

    /**
     * Removes the stale directories beside {@code ours}, the directory this parent has just made.
     * @return how many were removed
     */
    static int sweepBeside(Path ours) {
        Path parent = ours.getParent();
        int removed = 0;
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(parent, PREFIX + "*")) {
            UserPrincipal owner = Files.getOwner(ours, LinkOption.NOFOLLOW_LINKS);
            for (Path candidate : candidates) {
                if (!candidate.equals(ours) && isStale(candidate, owner) && delete(candidate)) {
                    removed++;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            logger.log(Level.DEBUG, "Could not look for stale worker socket directories in " + parent, ex);
        }
        if (removed > 0) {
            logger.log(Level.INFO, "Removed " + removed + " worker socket director" + ((removed == 1) ? "y" : "ies")
                    + " left in " + parent + " by parents that are gone");
        }
        return removed;
    }

    /** A directory another parent removes or replaces while we look is simply not stale. */
    private static boolean isStale(Path directory, UserPrincipal owner) {
        OptionalLong pid = pidOf(directory.getFileName().toString());
        try {
            return pid.isPresent()
                    && Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
                    && owner.equals(Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS))
                    && !ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)
                    && !isListening(directory.resolve("s"));
        }
        catch (IOException | RuntimeException ex) {
            return false;
        }
    }

    /** The pid in {@code ipcw-<pid>-<random>}; names of other shapes are not ours to touch. */
    static OptionalLong pidOf(String name) {
        int end = name.indexOf('-', PREFIX.length());
        if (!name.startsWith(PREFIX) || end <= PREFIX.length()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(name.substring(PREFIX.length(), end)));
        }
        catch (NumberFormatException ex) {
            return OptionalLong.empty();
        }
    }

    /** Only a refused connection (or no socket at all) proves nobody listens; anything else counts as alive. */
    private static boolean isListening(Path socket) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false); // a full backlog must not hold up our start
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        }
        catch (ConnectException ex) {
            return false;
        }
        catch (IOException ex) {
            return true;
        }
    }

    /** The directory holds the socket and perhaps an argument file, nothing nested. */
    private static boolean delete(Path directory) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
            return true;
        }
        catch (IOException ex) {
            logger.log(Level.DEBUG, "Could not remove the stale worker socket directory " + directory, ex);
            return false;
        }
    }
}
