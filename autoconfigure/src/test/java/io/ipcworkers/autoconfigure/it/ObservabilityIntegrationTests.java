package io.ipcworkers.autoconfigure.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.MessageBus;
import io.ipcworkers.autoconfigure.event.IpcWorkersEvent;
import io.ipcworkers.autoconfigure.event.PoolDownEvent;
import io.ipcworkers.autoconfigure.event.PoolUpEvent;
import io.ipcworkers.autoconfigure.event.WorkerExitedEvent;
import io.ipcworkers.autoconfigure.event.WorkerStartedEvent;
import io.ipcworkers.autoconfigure.observation.IpcBusObservationContext;
import io.ipcworkers.autoconfigure.observation.IpcListenerObservationContext;
import io.ipcworkers.pool.WorkerPool;
import io.ipcworkers.pool.WorkerPools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Actuator endpoint over HTTP, health, metrics, events and worker logs, against live worker JVMs. */
@SpringBootTest(classes = { TestApplication.class, ObservabilityIntegrationTests.Events.class,
        ObservabilityIntegrationTests.Observations.class },
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=ipcworkers,health", "ipc.observation-enabled=true",
                "management.tracing.sampling.probability=1.0",
                // a Spring worker with tracing of its own, observed too: its listener continues the parent's trace
                "ipc.pools.traced.worker=io.ipcworkers.autoconfigure.tracedworker.TracedWorkerConfig",
                "ipc.pools.traced.jvm-args=-Xmx96m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC,"
                        + "-Dipc.observation-enabled=true,-Dmanagement.tracing.sampling.probability=1.0",
                "management.endpoint.health.show-details=always",
                // down at its second crash within the window, and back only when asked
                "ipc.pools.fragile.worker=io.ipcworkers.autoconfigure.it.PlainWorker",
                "ipc.pools.fragile.jvm-args=-Xmx64m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
                "ipc.pools.fragile.restart.backoff=50ms", "ipc.pools.fragile.restart.max-crashes=1",
                "ipc.pools.fragile.restart.cool-down=10m",
                // its only worker's slot stays empty after a crash, until the endpoint is asked
                "ipc.pools.lonely.worker=io.ipcworkers.autoconfigure.it.PlainWorker",
                "ipc.pools.lonely.jvm-args=-Xmx64m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC",
                "ipc.pools.lonely.restart.backoff=10m", "ipc.pools.lonely.restart.max-backoff=10m" })
@ActiveProfiles("it")
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();

    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    WorkerPools pools;

    @Autowired
    MessageBus bus;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Events events;

    @TestConfiguration(proxyBeanMethods = false)
    static class Events {

        final List<IpcWorkersEvent> received = new CopyOnWriteArrayList<>();

        @EventListener
        void on(IpcWorkersEvent event) {
            this.received.add(event);
        }

        @Bean
        String eventsMarker() {
            return "events";
        }
    }

    @Autowired
    Observations observations;

    @Autowired
    ObservationRegistry observationRegistry;

    @Autowired
    Tracer tracer;

    /** Keeps what the application's observations were when stopped, and what a parent listener saw as current. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Observations {

        final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        final List<Observation.ContextView> currentInListener = new CopyOnWriteArrayList<>();

        final List<String> tracedBack = new CopyOnWriteArrayList<>();

        @Bean
        ObservationHandler<Observation.Context> stoppedObservations() {
            return new ObservationHandler<>() {

                @Override
                public boolean supportsContext(Observation.Context context) {
                    return true;
                }

                @Override
                public void onStop(Observation.Context context) {
                    Observations.this.stopped.add(context);
                }
            };
        }

        @Bean
        ObservedListener observedListener(ObservationRegistry registry) {
            return new ObservedListener(registry, this.currentInListener);
        }

        @Bean
        TracedBackListener tracedBackListener(Tracer tracer) {
            return new TracedBackListener(tracer, this.tracedBack);
        }
    }

    /**
     * What the traced worker said its trace was, beside the trace the parent's listener of it ran in;
     * its answer goes back to the worker.
     */
    record TracedBackListener(Tracer tracer, List<String> tracedBack) {

        @IpcListener(topics = { "traced-back", "trace-returned" }, pool = "traced")
        public @Nullable String tracedBack(String workerTrace, Message message) {
            io.micrometer.tracing.Span span = this.tracer.currentSpan();
            this.tracedBack.add(message.topic() + " " + workerTrace + " " + ((span != null) ? span.context().traceId() : "none"));
            return message.topic().equals("traced-back") ? "thanks" : null;
        }
    }

    record ObservedListener(ObservationRegistry registry, List<Observation.ContextView> currentInListener) {

        @IpcListener(topics = "observed", pool = "plain")
        public void observed(int value) {
            Observation current = this.registry.getCurrentObservation();
            if (current != null) {
                this.currentInListener.add(current.getContextView());
            }
        }
    }

    /** Sends the traced pool a message on the topic from a caller's observation of its own; returns its trace id. */
    private String sendInATraceOfItsOwn(String topic) {
        Observation caller = Observation.start("test.caller", this.observationRegistry);
        try (Observation.Scope scope = caller.openScope()) {
            this.bus.send("traced", topic, "which trace?");
            return this.tracer.currentSpan().context().traceId();
        }
        finally {
            caller.stop();
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return this.json.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return postAsync(path, body).get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        return this.http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Set<Long> childPids() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    @Test
    void endpointListsEveryPoolAndWorkerWithThePidsOfLiveProcesses() throws Exception {
        JsonNode plain = get("/actuator/ipcworkers").get("pools").get("plain");

        assertThat(plain.get("state").asString()).isEqualTo("RUNNING");
        assertThat(plain.get("configuredWorkers").asInt()).isEqualTo(2);
        assertThat(plain.get("messagesMoved").asLong()).isNotNegative();
        assertThat(plain.has("typicalMessageMillis")).isTrue(); // null until the pool's first acknowledgement
        assertThat(plain.get("topics").values()).extracting(JsonNode::asString).contains("resize").isSorted();
        List<Long> pids = new ArrayList<>();
        for (JsonNode worker : plain.get("workers")) {
            assertThat(worker.get("state").asString()).isEqualTo("running");
            assertThat(worker.get("name").asString()).startsWith("plain-");
            assertThat(worker.get("uptimeMillis").asLong()).isPositive();
            assertThat(worker.has("heapUsedBytes")).isTrue();
            // what -Xmx64m gives the worker's Runtime.maxMemory() (less a survivor space with the serial collector)
            assertThat(worker.get("maxHeapBytes").asLong()).isBetween(48L << 20, 64L << 20);
            assertThat(worker.has("currentTopic")).isTrue(); // null when idle, as here
            assertThat(worker.get("currentMillis").asLong()).isNotNegative();
            pids.add(worker.get("pid").asLong());
        }
        assertThat(pids).containsExactlyElementsOf(this.pools.pool("plain").workerPids())
            .allMatch((pid) -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(get("/actuator/ipcworkers/spring").get("workers").get(0).get("pid").asLong())
            .isEqualTo(this.pools.pool("spring").workerPids().get(0));
    }

    @Test
    void unknownPoolOrWorkerIsNotFound() throws Exception {
        HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + this.port + "/actuator/ipcworkers/nope")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(post("/actuator/ipcworkers/nope", "{}").statusCode()).isEqualTo(404);
        assertThat(post("/actuator/ipcworkers/plain", "{\"pid\": " + ProcessHandle.current().pid() + "}").statusCode())
            .isEqualTo(404);
    }

    @Test
    void oneWorkerIsRestartedThroughTheEndpoint() throws Exception {
        long old = this.pools.pool("spring").workerPids().get(0);
        Set<Long> children = childPids();

        CompletableFuture<HttpResponse<String>> restart = postAsync("/actuator/ipcworkers/spring", "{\"pid\": " + old + "}");
        // a Spring worker takes most of a second to be ready: asked again meanwhile, the endpoint says so
        await().atMost(WAIT).until(() -> !children.containsAll(childPids()));
        HttpResponse<String> again = post("/actuator/ipcworkers/spring", "{\"pid\": " + old + "}");
        HttpResponse<String> response = restart.get(30, TimeUnit.SECONDS);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(this.json.readTree(again.body()).get("action").asString())
            .isEqualTo("worker " + old + " is being replaced already");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(this.json.readTree(response.body()).get("action").asString()).isEqualTo("worker " + old + " replaced");
        long replacement = this.pools.pool("spring").workerPids().get(0);
        assertThat(replacement).isNotEqualTo(old);
        await().atMost(WAIT).until(() -> ProcessHandle.of(old).map((p) -> !p.isAlive()).orElse(true));
        await().atMost(WAIT).until(() -> this.events.received.stream().anyMatch((event) -> event instanceof WorkerExitedEvent exited
                && exited.getPid() == old && exited.getCause() == WorkerExitedEvent.Cause.RECYCLED));
        assertThat(this.events.received).anyMatch((event) -> event instanceof WorkerStartedEvent started
                && started.getPid() == replacement);
        assertThat(this.bus.request("spring", "greet", "again", String.class).get(10, TimeUnit.SECONDS)).startsWith("Hello, again");
    }

    @Test
    void aPoolMarkedDownIsReportedAndAPostToTheEndpointBringsItBack() throws Exception {
        WorkerPool fragile = this.pools.pool("fragile");
        this.bus.send("fragile", "crash", 3);
        await().atMost(WAIT).until(() -> fragile.restartCount() == 1 && fragile.snapshot().runningWorkers() == 1);
        this.bus.send("fragile", "crash", 4);
        await().atMost(WAIT).until(() -> fragile.state() == WorkerPool.State.DOWN);

        HttpResponse<String> health = this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port
                + "/actuator/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        JsonNode down = this.json.readTree(health.body()).get("components").get("ipcWorkers").get("components")
            .get("fragile");
        assertThat(down.get("status").asString()).isEqualTo("DOWN");
        assertThat(down.get("details").get("reason").asString()).startsWith("2 worker crashes within PT1M, the last: "
                + "Worker fragile-1 (pid ").contains("exited with code 4");
        // published just after the state changed
        await().atMost(WAIT).until(() -> this.events.received.stream()
            .anyMatch((event) -> event instanceof PoolDownEvent poolDown && poolDown.getPool().equals("fragile")
                    && poolDown.getReason().equals(fragile.snapshot().downReason())));

        HttpResponse<String> restarted = post("/actuator/ipcworkers/fragile", "{}");

        assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(200);
        assertThat(this.json.readTree(restarted.body()).get("action").asString())
            .isEqualTo("pool restarted after being down");
        await().atMost(WAIT).until(() -> fragile.snapshot().runningWorkers() == 1);
        assertThat(this.events.received).anyMatch((event) -> event instanceof PoolUpEvent poolUp
                && poolUp.getPool().equals("fragile"));
        assertThat(get("/actuator/health").get("components").get("ipcWorkers").get("components").get("fragile")
            .get("status").asString()).isEqualTo("UP");
        long before = fragile.workerPids().get(0);

        HttpResponse<String> rolled = post("/actuator/ipcworkers/fragile", "{}");

        assertThat(this.json.readTree(rolled.body()).get("action").asString()).isEqualTo("rolling restart completed");
        assertThat(fragile.workerPids()).hasSize(1).doesNotContain(before);
        assertThat(this.bus.request("fragile", "double", 21, Integer.class).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void healthReportsEachPool() throws Exception {
        JsonNode pools = get("/actuator/health").get("components").get("ipcWorkers");

        assertThat(pools.get("status").asString()).isEqualTo("UP");
        assertThat(pools.get("components").get("plain").get("details").get("workers").asString()).isEqualTo("2/2");
        assertThat(pools.get("components").get("spring").get("status").asString()).isEqualTo("UP");
    }

    @Test
    void aRunningPoolWithNoWorkerReadyIsDownAndAPostToTheEndpointStartsItsWorkerAtOnce() throws Exception {
        WorkerPool lonely = this.pools.pool("lonely");
        assertThat(lonelyHealth().get("status").asString()).isEqualTo("UP");

        this.bus.send("lonely", "crash", 5);
        // its slot is emptied once the exit is handled, a moment after the worker stops counting as running
        await().atMost(WAIT).until(() -> lonely.snapshot().workers().get(0).state().equals("restarting"));

        HttpResponse<String> health = this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port
                + "/actuator/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        JsonNode down = this.json.readTree(health.body()).get("components").get("ipcWorkers").get("components")
            .get("lonely");
        assertThat(lonely.state()).isEqualTo(WorkerPool.State.RUNNING);
        assertThat(down.get("status").asString()).isEqualTo("DOWN");
        assertThat(down.get("details").get("state").asString()).isEqualTo("RUNNING");
        assertThat(down.get("details").get("workers").asString()).isEqualTo("0/1");
        assertThat(down.get("details").get("reason").asString()).isEqualTo("no worker is ready (lonely-1 restarting)");

        // without the endpoint, the worker would be started after its restart backoff of ten minutes
        HttpResponse<String> restarted = post("/actuator/ipcworkers/lonely", "{}");

        assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(200);
        assertThat(this.json.readTree(restarted.body()).get("action").asString())
            .isEqualTo("rolling restart completed; 1 worker waiting out a restart backoff started now");
        await().atMost(WAIT).until(() -> lonely.snapshot().runningWorkers() == 1);
        assertThat(lonelyHealth().get("status").asString()).isEqualTo("UP");
        assertThat(this.bus.request("lonely", "double", 21, Integer.class).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    private JsonNode lonelyHealth() throws Exception {
        return get("/actuator/health/ipcWorkers/lonely");
    }

    @Test
    void metricsCountMessagesTimeRequestsAndGaugeThePools() throws Exception {
        this.bus.request("plain", "double", 3, Integer.class).get(10, TimeUnit.SECONDS);
        this.bus.broadcast("plain", "whoami", null);

        assertThat(this.meters.get("ipc.requests").tag("pool", "plain").tag("topic", "double").tag("outcome", "success")
            .timer().count()).isPositive();
        assertThat(this.meters.get("ipc.messages.sent").tag("pool", "plain").tag("topic", "whoami").counter().count())
            .isGreaterThanOrEqualTo(2);
        await().atMost(WAIT).until(() -> this.meters.find("ipc.messages.received").tag("topic", "pid").counter() != null);
        assertThat(this.meters.get("ipc.workers.running").tag("pool", "plain").gauge().value()).isEqualTo(2);
        assertThat(this.meters.get("ipc.messages.in.flight").tag("pool", "plain").gauge().value()).isGreaterThanOrEqualTo(0);
        assertThat(this.meters.get("ipc.callers.waiting").tag("pool", "plain").gauge().value()).isZero();
        assertThat(this.meters.get("ipc.frames.bytes").tag("pool", "plain").tag("direction", "out").functionCounter()
            .count()).isPositive();
        assertThat(this.meters.get("ipc.worker.starts").tag("pool", "plain").counter().count()).isGreaterThanOrEqualTo(2);
        // two workers of -Xmx64m; -Xmx96m for the Spring worker
        await().atMost(WAIT).until(() -> this.meters.get("ipc.workers.heap.max").tag("pool", "plain").gauge().value() > 96 << 20);
        assertThat(this.meters.get("ipc.workers.heap.max").tag("pool", "plain").gauge().value()).isLessThanOrEqualTo(128 << 20);
        await().atMost(WAIT).untilAsserted(() -> assertThat(this.meters.get("ipc.workers.heap.max").tag("pool", "spring")
            .gauge().value()).isBetween(64.0 * (1 << 20), 96.0 * (1 << 20)));
        await().atMost(WAIT).until(() -> this.meters.get("ipc.workers.memory.resident").tag("pool", "plain").gauge().value()
                > 2 * (1 << 20) && this.meters.get("ipc.workers.heap.used").tag("pool", "plain").gauge().value() > 0);
    }

    @Test
    void crashIsAnExitedEventAMetricAndALogLineOfThePool(CapturedOutput output) throws Exception {
        assertThatExceptionOfType(ExecutionException.class)
            .isThrownBy(() -> this.bus.request("plain", "crash", 42, Object.class).get(10, TimeUnit.SECONDS));

        await().atMost(WAIT).until(() -> this.events.received.stream().anyMatch((event) -> event instanceof WorkerExitedEvent exited
                && exited.getExitCode() == 42 && exited.getCause() == WorkerExitedEvent.Cause.CRASHED));
        assertThat(this.meters.get("ipc.worker.exits").tag("pool", "plain").tag("cause", "crashed").counter().count())
            .isPositive();
        assertThat(output).containsPattern("WARN .*ipcworkers\\.worker\\.plain\\s*: \\[plain-\\d \\d+\\] crashing on purpose with 42");
        await().atMost(WAIT).until(() -> this.pools.pool("plain").workerPids().size() == 2);
    }

    @Test
    void busCallsAndParentListenerCallsAreObservedWithTheCallersObservationAsTheirParentAndTimed() throws Exception {
        Observation caller = Observation.start("test.caller", this.observationRegistry);
        try (Observation.Scope scope = caller.openScope()) {
            assertThat(this.bus.request("plain", "resize", new ResizeJob("observed.png", 40), Thumbnail.class)
                .get(30, TimeUnit.SECONDS).height()).isEqualTo(30);
            this.bus.send("plain", "emit", Map.of("topic", "observed", "payload", 7));
        }
        finally {
            caller.stop();
        }

        await().atMost(WAIT).until(() -> !this.observations.currentInListener.isEmpty());
        Observation.ContextView inListener = this.observations.currentInListener.get(0);
        assertThat(inListener).isInstanceOfSatisfying(IpcListenerObservationContext.class, (context) -> {
            assertThat(context.getPool()).isEqualTo("plain");
            assertThat(context.getTopic()).isEqualTo("observed");
        });
        assertThat(inListener.getParentObservation()).isNull(); // no trace context comes from the worker
        await().atMost(WAIT).until(() -> this.observations.stopped.stream().anyMatch((context) -> context == inListener));
        // a request's observation stops as its future completes, on whichever thread completes it
        await().atMost(WAIT).untilAsserted(() -> assertThat(this.observations.stopped)
            .filteredOn(IpcBusObservationContext.class::isInstance)
            .map(IpcBusObservationContext.class::cast)
            .filteredOn((context) -> context.getParentObservation() == caller)
            .extracting(IpcBusObservationContext::getContextualName)
            .contains("request plain/resize", "send plain/emit"));
        assertThat(this.meters.get("ipc.bus").tag("ipc.pool", "plain").tag("ipc.topic", "resize")
            .tag("ipc.operation", "request").tag("error", "none").timer().count()).isPositive();
        assertThat(this.meters.get("ipc.listener").tag("ipc.pool", "plain").tag("ipc.topic", "observed").timer().count())
            .isPositive();
    }

    @Test
    void aRequestCarriesItsTraceToTheWorkerWhoseListenerContinuesItAndItsMessagesBackCarryItOn() throws Exception {
        Observation caller = Observation.start("test.caller", this.observationRegistry);
        String traceId;
        String workerSaw;
        try (Observation.Scope scope = caller.openScope()) {
            traceId = this.tracer.currentSpan().context().traceId();
            workerSaw = this.bus.request("traced", "trace", "which trace?", String.class).get(30, TimeUnit.SECONDS);
        }
        finally {
            caller.stop();
        }
        IpcBusObservationContext request = await().atMost(WAIT).until(() -> this.observations.stopped.stream()
            .filter(IpcBusObservationContext.class::isInstance).map(IpcBusObservationContext.class::cast)
            .filter((context) -> context.getPool().equals("traced")).findFirst().orElse(null), Objects::nonNull);
        String requestSpanId = request.getCarrier().get("traceparent").split("-")[2];
        // the worker's listener ran in a span of the caller's trace, a child of the request's span
        assertThat(workerSaw).isEqualTo(traceId + "/" + requestSpanId);

        // the worker's message back to the parent carries its trace on to the parent's listener
        String againTraceId = sendInATraceOfItsOwn("trace-back");
        await().atMost(WAIT).until(() -> !this.observations.tracedBack.isEmpty());
        String[] tracedBack = this.observations.tracedBack.get(0).split(" ");
        assertThat(tracedBack[0]).isEqualTo("traced-back");
        assertThat(tracedBack[1]).startsWith(againTraceId + "/");
        assertThat(tracedBack[2]).isEqualTo(againTraceId);
        // and so does the parent listener's return value, on its way back to the worker
        String[] answered = await().atMost(WAIT).until(() -> this.bus.request("traced", "answered", null, String.class)
            .get(30, TimeUnit.SECONDS).split(" "), (words) -> words.length == 2);
        assertThat(answered[0]).isEqualTo("thanks");
        assertThat(answered[1]).startsWith(againTraceId + "/");

        // a worker listener's return value for a plain send carries its trace to the parent's listener too
        String thirdTraceId = sendInATraceOfItsOwn("trace-returned");
        await().atMost(WAIT).until(() -> this.observations.tracedBack.size() == 2);
        String[] returned = this.observations.tracedBack.get(1).split(" ");
        assertThat(returned[0]).isEqualTo("trace-returned");
        assertThat(returned[1]).startsWith(thirdTraceId + "/");
        assertThat(returned[2]).isEqualTo(thirdTraceId);

        assertThat(this.bus.request("traced", "trace", "untraced", String.class).get(30, TimeUnit.SECONDS))
            .as("a request outside any trace starts one, which the worker continues").isNotEqualTo("none")
            .doesNotStartWith(traceId);
    }
}
