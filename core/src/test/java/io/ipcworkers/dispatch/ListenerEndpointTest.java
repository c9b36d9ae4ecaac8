package io.ipcworkers.dispatch;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Invoking a listener, on either side. */
class ListenerEndpointTest {

    private final Listeners listeners = new Listeners();

    @Test
    void aListenerThatReturnsAFutureIsAnsweredWithItsValueOnceItCompletes() throws Exception {
        assertThat(invoke("future", "a")).isEqualTo("future a");
        assertThat(invoke("stage", "b")).isEqualTo("stage b");
    }

    @Test
    void aFutureThatFailsIsTheListenersFailure() {
        assertThatIllegalStateException().isThrownBy(() -> invoke("failing", "disk on fire")).withMessage("disk on fire");
    }

    private Object invoke(String name, String payload) throws Exception {
        Method method = Listeners.class.getMethod(name, String.class);
        ListenerEndpoint endpoint = ListenerEndpoint.create(this.listeners, method, method.getAnnotation(IpcListener.class));
        return endpoint.invoke(new Delivery(Message.of(name, payload), null, null, "pool"));
    }

    public static class Listeners {

        @IpcListener("future")
        public CompletableFuture<String> future(String text) {
            return CompletableFuture.supplyAsync(() -> "future " + text);
        }

        @IpcListener("stage")
        public CompletionStage<String> stage(String text) {
            return CompletableFuture.supplyAsync(() -> "stage " + text).minimalCompletionStage();
        }

        @IpcListener("failing")
        public CompletableFuture<String> failing(String why) {
            return CompletableFuture.supplyAsync(() -> {
                throw new IllegalStateException(why);
            });
        }
    }
}
