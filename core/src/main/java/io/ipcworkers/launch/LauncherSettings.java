package io.ipcworkers.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.ipcworkers.ProcessOutput;
import io.ipcworkers.channel.Frame;
import org.jspecify.annotations.Nullable;

/**
 * Settings shared by every child a {@link ChildLauncher} starts.
 *
 * @param maxFrameLength the largest frame either side accepts, in bytes
 * @param startTimeout how long a child may take from start to connected
 * @param output where the children's stdout and stderr lines go
 * @param defaultJvmArgs JVM options given to every child before its own
 * @param classDataSharingDirectory where pool workers keep the class data sharing archives they write
 *        and start from, one per pool; null for none
 */
public record LauncherSettings(int maxFrameLength, Duration startTimeout, ProcessOutput output,
        List<String> defaultJvmArgs, @Nullable Path classDataSharingDirectory) {

    public LauncherSettings(int maxFrameLength, Duration startTimeout, ProcessOutput output, List<String> defaultJvmArgs) {
        this(maxFrameLength, startTimeout, output, defaultJvmArgs, null);
    }

    public LauncherSettings {
        if (maxFrameLength < 1024) {
            throw new IllegalArgumentException("maxFrameLength must be at least 1024 bytes, was " + maxFrameLength);
        }
        Objects.requireNonNull(startTimeout, "'startTimeout' must not be null");
        Objects.requireNonNull(output, "'output' must not be null");
        defaultJvmArgs = List.copyOf(defaultJvmArgs);
    }

    public static LauncherSettings defaults() {
        return new LauncherSettings(Frame.DEFAULT_MAX_FRAME_LENGTH, Duration.ofSeconds(30), ProcessOutput.console(),
                List.of());
    }
}
