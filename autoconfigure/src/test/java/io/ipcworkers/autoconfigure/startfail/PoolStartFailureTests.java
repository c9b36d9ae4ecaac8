package io.ipcworkers.autoconfigure.startfail;

import java.util.HashMap;
import java.util.Map;

import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** A worker that cannot start fails the application's start-up with a report quoting the worker. */
@ExtendWith(OutputCaptureExtension.class)
class PoolStartFailureTests {

    @Test
    void springWorkerWithoutListenersFailsStartupNamingThePool(CapturedOutput output) {
        run(EmptySpringWorker.class);

        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Worker pool 'broken' could not start its workers")
            .contains("has no @IpcListener methods")
            .contains("ipc.pools.broken.worker");
    }

    @Test
    void springWorkerWhoseContextFailsReportsTheWorkersError(CapturedOutput output) {
        run(BrokenSpringWorker.class);

        assertThat(output).contains("Worker pool 'broken' could not start its workers")
            .contains("exited with code 1 before it was ready")
            .contains("database url missing in the worker");
    }

    @Test
    void springWorkerWhoseListenerTakesAChildProcessSaysItNeverHasOne(CapturedOutput output) {
        run(ChildTakingSpringWorker.class);

        assertThat(output).contains("Worker pool 'broken' could not start its workers")
            .contains("Invalid @IpcListener method on bean 'listener'")
            .contains("takes a ChildProcess, but listeners in a worker are never given one");
    }

    @Test
    void aSpringWorkersListenerPlaceholderWithoutAValueFailsStartUpNamingThePlaceholder(CapturedOutput output) {
        // its farewell topic is ${greeting.farewell}, which nothing here gives it
        run(SpringWorkerConfig.class, "-Xmx96m");

        assertThat(output).contains("Worker pool 'broken' could not start its workers")
            .contains("Invalid @IpcListener method on bean 'greetingService'")
            .contains("Could not resolve placeholder 'greeting.farewell'");
    }

    @Test
    void aJvmOptionTheWorkerJvmRefusesIsQuotedWithTheSettingToCheck(CapturedOutput output) {
        // no options from the environment, as the advice below says, whatever this JVM's has (a coverage agent, say)
        run(PlainWorker.class, "-Xmx64m,-XX:+NoSuchOption", Map.of("ipc.pools.broken.environment.JAVA_TOOL_OPTIONS", ""));

        assertThat(output).contains("Worker pool 'broken' could not start its workers")
            .contains("Unrecognized VM option 'NoSuchOption'")
            .contains("ipc.pools.broken.jvm-args")
            .as("the JVM's 'Picked up' line for an empty variable").doesNotContain("took options from");
    }

    @Test
    void optionsTheWorkerJvmTookFromItsEnvironmentAreNamedWithTheSettingThatReplacesThem(CapturedOutput output) {
        // as a debugger's options with a fixed port would, inherited from the application
        run(PlainWorker.class, "-Xmx64m", Map.of("ipc.pools.broken.environment.JAVA_TOOL_OPTIONS", "-XX:+NoSuchOption"));

        assertThat(output).contains("Worker pool 'broken' could not start its workers")
            .contains("Picked up JAVA_TOOL_OPTIONS: -XX:+NoSuchOption")
            .contains("The worker JVM also took options from JAVA_TOOL_OPTIONS (the 'Picked up' line above), which the "
                    + "workers inherit from the application")
            .contains("give the workers their own with ipc.pools.broken.environment.JAVA_TOOL_OPTIONS (empty for none)");
    }

    @Test
    void workersKilledWithSigkillAtEachAttemptPointAtTheirMemoryNotAtTheWorker(CapturedOutput output) {
        run(SelfKillingWorker.class, "-Xmx64m", Map.of("ipc.pools.broken.restart.backoff", "50ms"));

        assertThat(output).contains("Worker pool 'broken' could not start its workers")
            .contains("exited with code 137 (SIGKILL, as from kill -9 or the kernel's out-of-memory killer) before it "
                    + "was ready, as were the 2 started for its slot before it")
            .contains("killed with SIGKILL before they were ready, at each attempt; nothing in the worker failed")
            .contains("-Xmx in ipc.pools.broken.jvm-args, fewer ipc.pools.broken.workers")
            .doesNotContain("Read the worker's stderr above");
    }

    private static void run(Class<?> worker) {
        run(worker, "-Xmx64m");
    }

    private static void run(Class<?> worker, String jvmArgs) {
        run(worker, jvmArgs, Map.of());
    }

    private static void run(Class<?> worker, String jvmArgs, Map<String, Object> more) {
        SpringApplication application = new SpringApplication(ParentApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        Map<String, Object> properties = new HashMap<>(more);
        properties.put("ipc.pools.broken.worker", worker.getName());
        properties.put("ipc.pools.broken.jvm-args", jvmArgs);
        application.setDefaultProperties(properties);
        assertThatException().isThrownBy(application::run);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ParentApp {
    }
}
