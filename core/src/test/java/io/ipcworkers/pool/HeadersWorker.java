package io.ipcworkers.pool;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.worker.ConnectedParentProcess;
import org.jspecify.annotations.Nullable;

/** A plain worker whose listener calls are observed once asked to, keeping the headers each came with. */
public class HeadersWorker {

    /** The headers the listener running now was observed with. */
    private static volatile Map<String, String> current = Map.of();

    private static volatile Map<String, String> remembered = Map.of();

    @IpcListener("observe")
    public boolean observe(ParentProcess parent) {
        ((ConnectedParentProcess) parent).observeWith(new PoolObserver() {

            @Override
            public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
                return sending.applyAsInt(Map.of("from", pool + "/" + topic));
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic,
                    Function<Map<String, String>, CompletableFuture<T>> requesting) {
                throw new UnsupportedOperationException("not in a worker");
            }

            @Override
            public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                    Callable<@Nullable Object> listening) throws Exception {
                current = headers;
                return listening.call();
            }
        });
        return true;
    }

    @IpcListener("headers")
    public Map<String, String> headers() {
        return current;
    }

    @IpcListener("tell-parent")
    public void tellParent(String what, ParentProcess parent) {
        parent.sendMessage(Message.of("told", what));
    }

    @IpcListener("remember")
    public void remember() {
        remembered = current;
    }

    @IpcListener("remembered")
    public Map<String, String> remembered() {
        return remembered;
    }
}
