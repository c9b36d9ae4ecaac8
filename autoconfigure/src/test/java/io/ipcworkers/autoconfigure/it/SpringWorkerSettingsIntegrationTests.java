package io.ipcworkers.autoconfigure.it;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.ipcworkers.IpcListener;
import io.ipcworkers.MessageBus;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.ApplicationPidFileWriter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application's settings as a Spring worker's context reads them: the same configuration files on the
 * same class path, the environment it inherits or its pool gives it, and the application's active profiles.
 * Spring Boot DevTools is on this module's test class path, so these workers also show that DevTools does
 * not restart a worker.
 */
class SpringWorkerSettingsIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void beansWithListenersAreCreatedInTheParentAndInASpringWorkerUnderLazyInitialization() throws Exception {
        Map<String, String> properties = Map.of("spring.main.lazy-initialization", "true",
                // a worker reads its own environment, not these defaults: lazy there too
                "ipc.pools.spring.environment.SPRING_MAIN_LAZYINITIALIZATION", "true");

        try (ConfigurableApplicationContext context = run(properties)) {
            assertThat(context.getBeanFactory().containsSingleton("greetings")).as("created at start-up").isTrue();

            // the worker's one bean has listeners only: without it the worker would have failed to start
            assertGreets(context);
        }
    }

    @Test
    void aSpringWorkerStaysWithoutAWebServerWhateverTheApplicationsWebApplicationTypeSays() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            // as an application that runs a web server says in its application.yml; the port is taken, as the
            // application's own server would take it
            Map<String, String> properties = Map.of("ipc.pools.spring.environment.SPRING_MAIN_WEBAPPLICATIONTYPE",
                    "servlet", "ipc.pools.spring.environment.SERVER_PORT", Integer.toString(taken.getLocalPort()));

            try (ConfigurableApplicationContext context = run(properties)) {
                assertGreets(context);
            }
        }
    }

    @Test
    void aSpringWorkerRunsWithTheApplicationsActiveProfiles() throws Exception {
        // as --spring.profiles.active=lingo would, which a worker does not see: only application-lingo.yml
        // gives the worker's farewell listener its topic, so a worker without the profile would not start
        try (ConfigurableApplicationContext context = runWithProfiles(Map.of(), "lingo")) {
            String farewell = context.getBean(MessageBus.class).request("spring", "adieu", "Ada", String.class)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(farewell).isEqualTo("Goodbye, Ada");
        }
    }

    @Test
    void aSpringWorkerImportsWhatTheApplicationsCommandLineImports() throws Exception {
        // only the imported file gives the worker's farewell listener its topic: a worker that did not
        // import it would not start
        SpringApplication application = application(Map.of());
        try (ConfigurableApplicationContext context = application
            .run("--spring.config.import=classpath:imported-farewell.yml")) {
            String farewell = context.getBean(MessageBus.class).request("spring", "adieu", "Ada", String.class)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(farewell).isEqualTo("Goodbye, Ada");
        }
    }

    @Test
    void aSpringWorkerRunsWithTheApplicationsCommandLineButForWhatItsPoolsEnvironmentSets() throws Exception {
        SpringApplication application = application(Map.of("ipc.pools.spring.environment.GREETING_FAREWELL", "farewell"));
        try (ConfigurableApplicationContext context = application.run("--spring.jackson.property-naming-strategy=SNAKE_CASE",
                "--greeting.farewell=adieu", "report.csv")) {
            MessageBus bus = context.getBean(MessageBus.class);
            // the card, a record the worker's mapper writes, names its field as the command line says
            Map<String, Object> card = bus.request("spring", "card", "Ada", new TypeReference<Map<String, Object>>() { }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(card).containsOnlyKeys("full_text");

            // the farewell's topic stays the pool's: the command line's would have the listener on "adieu"
            String farewell = bus.request("spring", "farewell", "Ada", String.class).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(farewell).isEqualTo("Goodbye, Ada");
        }
    }

    @Test
    void aSpringWorkerDoesNotRepeatTheApplicationsLogFileNorItsConsoleFormat(@TempDir Path logs) throws Exception {
        Path logFile = logs.resolve("app.log");
        // the worker reads the application's settings, as it would from the application's files
        Map<String, String> properties = Map.of("logging.file.name", logFile.toString(),
                "ipc.pools.spring.environment.LOGGING_FILE_NAME", logFile.toString(),
                "logging.structured.format.console", "ecs", "ipc.pools.spring.environment.LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs",
                // a worker without a locale, as in a bare container: its JVM takes ASCII for its console
                "ipc.pools.spring.environment.LC_ALL", "C");
        try (ConfigurableApplicationContext context = run(properties)) {
            // the worker's listener logs "Greeting Zoë"
            context.getBean(MessageBus.class).request("spring", "greet", "Zoë", String.class).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> Files.readString(logFile).contains("Greeting Zo"));

            // once, by the application, from a console line in UTF-8 that starts with its level (not one in JSON)
            assertThat(Files.readAllLines(logFile)).filteredOn((line) -> line.contains("Greeting Zo")).singleElement()
                .asString().contains(" INFO ").contains("[spring-1 ")
                .endsWith("] i.i.a.i.springworker.GreetingService - Greeting Zoë");
        }
        finally {
            // Boot's logging leaves these in system properties, which later applications of this JVM would take
            System.clearProperty("LOG_FILE");
            System.clearProperty("LOG_PATH");
            System.clearProperty("CONSOLE_LOG_STRUCTURED_FORMAT");
        }
    }

    @Test
    void aSpringWorkerLeavesTheApplicationsPidFileAlone(@TempDir Path directory) throws Exception {
        // the application writes its PID file with Boot's writer, listed in its META-INF/spring.factories as
        // Boot documents; here only the worker finds that listing (on its boot class path), as this test's JVM
        // runs many applications
        Path factories = directory.resolve("factories");
        Files.createDirectories(factories.resolve("META-INF"));
        Files.writeString(factories.resolve("META-INF/spring.factories"),
                "org.springframework.context.ApplicationListener=" + ApplicationPidFileWriter.class.getName() + "\n");
        Path pidFile = directory.resolve("app.pid");
        String applicationPid = Long.toString(ProcessHandle.current().pid());
        Files.writeString(pidFile, applicationPid);
        // the worker reads the application's spring.pid.file, as it would from the application's files
        Map<String, String> properties = Map.of("ipc.pools.spring.environment.SPRING_PID_FILE", pidFile.toString(),
                "ipc.pools.spring.jvm-args", "-Xmx96m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC,-Xbootclasspath/a:" + factories);

        try (ConfigurableApplicationContext context = run(properties)) {
            assertGreets(context);
            assertThat(pidFile).hasContent(applicationPid);
        }
        // nor deleted as the worker exits
        assertThat(pidFile).hasContent(applicationPid);
    }

    @Test
    void aSpringWorkerStartsWithoutAheadOfTimeInitializersWhenTheApplicationRunsWithThem() throws Exception {
        // as the application's own -Dspring.aot.enabled=true reaches the workers in JAVA_TOOL_OPTIONS: its
        // generated initializers are for the application's class, none for a worker's
        Map<String, String> properties = Map.of("ipc.pools.spring.jvm-args",
                "-Xmx96m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC,-Dspring.aot.enabled=true");

        try (ConfigurableApplicationContext context = run(properties)) {
            assertGreets(context);
        }
    }

    private static ConfigurableApplicationContext run(Map<String, String> properties) {
        Map<String, String> withFarewell = new HashMap<>(properties);
        withFarewell.put("ipc.pools.spring.environment.GREETING_FAREWELL", "farewell");
        return runWithProfiles(withFarewell);
    }

    private static ConfigurableApplicationContext runWithProfiles(Map<String, String> properties, String... profiles) {
        SpringApplication application = application(properties);
        application.setAdditionalProfiles(profiles);
        return application.run();
    }

    private static SpringApplication application(Map<String, String> properties) {
        SpringApplication application = new SpringApplication(ParentApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        Map<String, Object> all = new HashMap<>(properties);
        all.put("ipc.pools.spring.worker", SpringWorkerConfig.class.getName());
        all.putIfAbsent("ipc.pools.spring.jvm-args", "-Xmx96m,-XX:TieredStopAtLevel=1,-XX:+UseSerialGC");
        application.setDefaultProperties(all);
        return application;
    }

    /** A request to the worker's listener, and the message that listener sends the parent's. */
    private static void assertGreets(ConfigurableApplicationContext context) throws Exception {
        String greeting = context.getBean(MessageBus.class).request("spring", "greet", "Ada", String.class)
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(greeting).startsWith("Hello, Ada (parent ");
        Greetings greetings = context.getBean(Greetings.class);
        await().atMost(WAIT).until(() -> greetings.names.contains("Ada"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ParentApp {

        @Bean
        Greetings greetings() {
            return new Greetings();
        }
    }

    /** What the worker's listener tells the parent it greeted. */
    static class Greetings {

        final List<String> names = new CopyOnWriteArrayList<>();

        @IpcListener("greeted")
        public void greeted(String name) {
            this.names.add(name);
        }
    }
}
