package io.ipcworkers.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import io.ipcworkers.CapturedLog;
import io.ipcworkers.ChildProcess;
import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.codec.MessageCodec;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import tools.jackson.core.type.TypeReference;

import static io.ipcworkers.pool.TestPools.launcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a {@link PoolObserver} sees of a pool's messages: the headers it gives a send or request reach
 * the worker's observer and come back with the answer, and an answer that cannot be written fails the
 * send's observation, not the listener's.
 */
class PoolObserverTest {

    @Test
    void theHeadersAnObserverGivesASendOrRequestReachTheWorkersObserverAndBack() throws Exception {
        Map<String, Map<String, String>> heardWith = new ConcurrentHashMap<>();
        List<String> heard = new CopyOnWriteArrayList<>();
        ThreadLocal<String> listening = new ThreadLocal<>();
        PoolObserver observer = new PoolObserver() {

            @Override
            public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
                String within = listening.get();
                return sending.applyAsInt(Map.of("traceparent", (broadcast ? "broadcast-" : "send-") + topic
                        + ((within != null) ? " within " + within : "")));
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic,
                    Function<Map<String, String>, CompletableFuture<T>> requesting) {
                return requesting.apply(Map.of("traceparent", "request-" + topic, "baggage", "tenant=ä"));
            }

            @Override
            public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                    Callable<@Nullable Object> call) throws Exception {
                heardWith.put(topic, headers);
                listening.set(topic);
                try {
                    return call.call();
                }
                finally {
                    listening.remove();
                }
            }
        };
        ListenerRegistry parentListeners = ListenerRegistry.forParent();
        parentListeners.registerAnnotatedMethods(new Object() {

            @IpcListener("told")
            public void told(String what) {
                heard.add(what);
            }

            @IpcListener("answer-parent")
            public void answered(String what) {
                heard.add(what);
            }

            @IpcListener("ask-parent")
            public String asked(ChildProcess sender) {
                sender.sendMessage(Message.of("remember", null));
                return "pong";
            }
        });
        try (WorkerPools observed = new WorkerPools(List.of(PoolSettings.of("headers", 1, HeadersWorker.class.getName())),
                launcher(), MessageCodec.withDefaultMapper(), parentListeners, List.of(), observer)) {
            observed.start();
            assertThat(observed.request("headers", "observe", null, Boolean.class).get(10, TimeUnit.SECONDS)).isTrue();

            assertThat(observed.request("headers", "headers", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "request-headers", "baggage", "tenant=ä"));
            // with a deadline of its own, which the body carries after the headers
            assertThat(observed.request("headers", "headers", null, new TypeReference<Map<String, String>>() {
            }, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "request-headers", "baggage", "tenant=ä"));
            observed.send("headers", "remember", null);
            assertThat(observed.request("headers", "remembered", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "send-remember"));
            assertThat(observed.broadcast("headers", "remember", null)).isEqualTo(1);
            assertThat(observed.request("headers", "remembered", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "broadcast-remember"));

            // and what the worker's observer gives a message the worker sends reaches the parent's,
            // a send within a listener's observation as much as its return value
            observed.send("headers", "tell-parent", "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("hello"));
            assertThat(heardWith.get("told")).isEqualTo(Map.of("from", "headers/told within tell-parent"));
            observed.send("headers", "answer-parent", "hi");
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("answered hi"));
            assertThat(heardWith.get("answer-parent")).isEqualTo(Map.of("from", "headers/answer-parent within answer-parent"));

            // a parent listener's return value and what it sends its worker are sent within its observation
            observed.send("headers", "start-asking", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> Map.of("traceparent", "send-ask-parent within ask-parent")
                .equals(observed.request("headers", "answered-with", null, Map.class).get(10, TimeUnit.SECONDS)));
            assertThat(heardWith.get("ask-parent")).isEqualTo(Map.of("from", "headers/ask-parent within start-asking"));
            assertThat(observed.request("headers", "remembered", null, Map.class).get(10, TimeUnit.SECONDS))
                .isEqualTo(Map.of("traceparent", "send-remember within ask-parent"));
        }
    }

    @Test
    void anAnswerThatCannotBeWrittenFailsItsSendsObservationNotItsListenersAndIsLogged() throws Exception {
        List<String> outcomes = new CopyOnWriteArrayList<>();
        PoolObserver observer = new PoolObserver() {

            @Override
            public int send(String pool, String topic, boolean broadcast, ToIntFunction<Map<String, String>> sending) {
                try {
                    return sending.applyAsInt(Map.of());
                }
                catch (RuntimeException ex) {
                    outcomes.add("send " + topic + " failed");
                    throw ex;
                }
            }

            @Override
            public <T> CompletableFuture<T> request(String pool, String topic,
                    Function<Map<String, String>, CompletableFuture<T>> requesting) {
                return requesting.apply(Map.of());
            }

            @Override
            public @Nullable Object listen(String pool, String topic, Map<String, String> headers,
                    Callable<@Nullable Object> call) throws Exception {
                Object returned = call.call();
                outcomes.add("listen " + topic + " returned");
                return returned;
            }
        };
        List<String> failed = new CopyOnWriteArrayList<>();
        PoolListener counting = new PoolListener() {

            @Override
            public void parentListenerFailed(String pool, String topic, Class<? extends Throwable> exception) {
                failed.add(topic);
            }
        };
        ListenerRegistry parentListeners = ListenerRegistry.forParent();
        parentListeners.registerAnnotatedMethods(new Object() {

            @IpcListener("ask-parent")
            public Unwritable asked() {
                return new Unwritable();
            }
        });
        try (CapturedLog log = new CapturedLog(InboundDispatcher.class);
                WorkerPools observed = new WorkerPools(List.of(PoolSettings.of("headers", 1, HeadersWorker.class.getName())),
                        launcher(), MessageCodec.withDefaultMapper(), parentListeners, List.of(counting), observer)) {
            observed.start();
            observed.send("headers", "start-asking", null);
            // the failure is logged inside the listener's observation, so wait for that to end too
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.messages().isEmpty() && outcomes.size() >= 2);

            assertThat(log.messages()).hasSize(1);
            assertThat(log.messages().get(0)).startsWith("Could not send the reply to 'ask-parent' back to Worker headers-1");
            assertThat(outcomes).containsExactly("send ask-parent failed", "listen ask-parent returned");
            assertThat(failed).isEmpty();
            // and the worker goes on
            assertThat(observed.request("headers", "answered-with", null, Map.class).get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    /** A value Jackson cannot write: its one property throws. */
    public static final class Unwritable {

        public String getValue() {
            throw new IllegalStateException("not today");
        }
    }
}
