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

    private static volatile Map<String, String> answeredWith = Map.of();

    /** The topic of the listener running in its observation on this thread, if any. */
    private static final ThreadLocal<String> listening = new ThreadLocal<>();

    @IpcListener("observe")
    public boolean observe(ParentProcess parent) {
        ((ConnectedParentProcess) parent).observeWith(new PoolObserver() {

            @Override
            public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
                String within = listening.get();
                return sending.applyAsInt(Map.of("from", pool + "/" + topic + ((within != null) ? " within " + within : "")));
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic,
                    Function<Map<String, String>, CompletableFuture<T>> requesting) {
                throw new UnsupportedOperationException("not in a worker");
            }

            @Override
            public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                    Callable<@Nullable Object> call) throws Exception {
                current = headers;
                listening.set(topic);
                try {
                    return call.call();
                }
                finally {
                    listening.remove();
                }
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

    /** A plain send's return value goes back to the parent's listener of the same topic. */
    @IpcListener("answer-parent")
    public String answerParent(String what) {
        return "answered " + what;
    }

    @IpcListener("start-asking")
    public void startAsking(ParentProcess parent) {
        parent.sendMessage(Message.of("ask-parent", null));
    }

    /** The parent's listener's answer to "ask-parent". */
    @IpcListener("ask-parent")
    public void answered(String answer) {
        answeredWith = current;
    }

    @IpcListener("answered-with")
    public Map<String, String> answeredWith() {
        return answeredWith;
    }
}
