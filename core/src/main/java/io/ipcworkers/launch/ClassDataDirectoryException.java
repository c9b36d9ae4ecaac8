package io.ipcworkers.launch;

import java.io.IOException;
import java.nio.file.Path;

import io.ipcworkers.IpcException;

/**
 * The directory configured for the pool workers' class data sharing archives cannot be created; the
 * cause says why. Thrown at start-up, where the auto-configuration reports it against its property.
 */
public final class ClassDataDirectoryException extends IpcException {

    private static final long serialVersionUID = 1L;

    private final transient Path directory;

    ClassDataDirectoryException(Path directory, IOException cause) {
        super("Cannot create the class data sharing directory " + directory + ": " + cause, cause);
        this.directory = directory;
    }

    public Path getDirectory() {
        return this.directory;
    }
}
