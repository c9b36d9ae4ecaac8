package io.ipcworkers.autoconfigure.tracedworker;

import io.ipcworkers.IpcListener;
import io.ipcworkers.Message;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.autoconfigure.observation.IpcWorkersObservationAutoConfiguration;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A Spring worker with tracing, as an application's would have with Boot's auto-configuration: its
 * listener says which trace it runs in. Outside the test application's scanned packages, so that the
 * parent does not load it as a configuration of its own.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration({ JacksonAutoConfiguration.class, ObservationAutoConfiguration.class,
        MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class,
        IpcWorkersObservationAutoConfiguration.class })
public class TracedWorkerConfig {

    @Bean
    TraceReporter traceReporter(Tracer tracer, ParentProcess parent) {
        return new TraceReporter(tracer, parent);
    }

    public static class TraceReporter {

        private final Tracer tracer;

        private final ParentProcess parent;

        /** The parent listener's answer to "traced-back", with the trace its listener here ran in. */
        private volatile String answered = "none";

        TraceReporter(Tracer tracer, ParentProcess parent) {
            this.tracer = tracer;
            this.parent = parent;
        }

        /** The trace and parent span of the span the listener runs in, "none" outside any. */
        @IpcListener("trace")
        public String trace(String ignored) {
            Span span = this.tracer.currentSpan();
            return (span != null) ? span.context().traceId() + "/" + span.context().parentId() : "none";
        }

        /** Tells the parent, on "traced-back", which trace this listener runs in. */
        @IpcListener("trace-back")
        public void traceBack(String ignored) {
            this.parent.sendMessage(Message.of("traced-back", trace(ignored)));
        }

        /** The parent's listener's return value for "traced-back" comes back here. */
        @IpcListener("traced-back")
        public void answered(String answer) {
            this.answered = answer + " " + trace(answer);
        }

        @IpcListener("answered")
        public String answeredSoFar() {
            return this.answered;
        }

        /** Returns which trace this listener runs in; a plain send's return value goes to the parent's listener. */
        @IpcListener("trace-returned")
        public String traceReturned(String ignored) {
            return trace(ignored);
        }
    }
}
