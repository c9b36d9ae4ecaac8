package io.ipcworkers.launch;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker must not need Jackson before its first message: the first Jackson class a JVM loads opens
 * every jar ahead of Jackson's on the class path, which cost a new worker a fifth of its start. A
 * class needs another when it is linked (the verifier loads, for example, the exception types its
 * handlers catch), so every class on a worker's way to its first message is linked here by a class
 * loader that can see ipc-workers-core but not Jackson.
 */
class WorkerStartClassesTest {

    /** What a worker loads before its first message, from a class-load log of a plain and a pool worker. */
    private static final List<String> ON_THE_WAY_TO_THE_FIRST_MESSAGE = List.of(
            "io.ipcworkers.launch.WorkerMain", "io.ipcworkers.launch.WorkerMain$FlushOnExit",
            "io.ipcworkers.launch.Bootstrap", "io.ipcworkers.launch.TaskTransfer",
            "io.ipcworkers.launch.SerializationConstructors",
            "io.ipcworkers.channel.SocketConnection", "io.ipcworkers.channel.FrameReader",
            "io.ipcworkers.channel.FrameWriter", "io.ipcworkers.channel.FrameWriter$EncodedBody",
            "io.ipcworkers.launch.ChannelServer$Hello", "io.ipcworkers.worker.CurrentProcessId",
            "io.ipcworkers.worker.ProcSelfStatus", "io.ipcworkers.worker.ConnectedParentProcess",
            "io.ipcworkers.worker.LocalChildProcess", "io.ipcworkers.codec.MessageCodec",
            "io.ipcworkers.codec.MessageCodec$MessageBody", "io.ipcworkers.codec.MessageCodec$JsonBody",
            "io.ipcworkers.Message", "io.ipcworkers.PayloadConversionException",
            // a pool worker's
            "io.ipcworkers.worker.ListenerWorkerTask", "io.ipcworkers.dispatch.ListenerRegistry",
            "io.ipcworkers.dispatch.ListenerMethod", "io.ipcworkers.dispatch.ListenerEndpoint",
            "io.ipcworkers.dispatch.ListenerEndpoint$Argument", "io.ipcworkers.worker.WorkerDispatcher",
            "io.ipcworkers.dispatch.ListenerDispatcher", "io.ipcworkers.worker.Acknowledgements",
            "io.ipcworkers.channel.FrameSlot", "io.ipcworkers.worker.ReceivedMessage",
            "io.ipcworkers.dispatch.MessageSource");

    @Test
    void aWorkerLinksEverythingBeforeItsFirstMessageWithoutJackson() throws Exception {
        URL core = WorkerMain.class.getProtectionDomain().getCodeSource().getLocation();
        Set<String> jacksonRequested = new ConcurrentSkipListSet<>();
        try (URLClassLoader withoutJackson = new RecordingLoader(core, jacksonRequested)) {
            for (String name : ON_THE_WAY_TO_THE_FIRST_MESSAGE) {
                try {
                    Class.forName(name, true, withoutJackson); // initializing links, and linking verifies
                }
                catch (LinkageError ex) {
                    throw new AssertionError(name + " cannot be linked without Jackson: " + ex, ex);
                }
            }
        }
        assertThat(jacksonRequested).as("Jackson classes asked for").isEmpty();
    }

    /** Sees ipc-workers-core and the JDK only, and notes every Jackson class asked of it. */
    private static final class RecordingLoader extends URLClassLoader {

        private final Set<String> jacksonRequested;

        RecordingLoader(URL core, Set<String> jacksonRequested) {
            super(new URL[] { core }, ClassLoader.getPlatformClassLoader());
            this.jacksonRequested = jacksonRequested;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("tools.jackson.")) {
                this.jacksonRequested.add(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
