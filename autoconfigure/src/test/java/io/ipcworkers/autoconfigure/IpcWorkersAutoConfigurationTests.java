package io.ipcworkers.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ipcworkers.ChildProcess;
import io.ipcworkers.Message;
import io.ipcworkers.MessageBus;
import io.ipcworkers.MessageFactory;
import io.ipcworkers.ParentProcess;
import io.ipcworkers.ProcessManager;
import io.ipcworkers.WorkerTask;
import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.dispatch.ListenerRegistry;
import io.ipcworkers.pool.PoolSettings;
import io.ipcworkers.pool.Routing;
import io.ipcworkers.pool.WorkerPools;
import io.ipcworkers.worker.WorkerJvm;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.type.TypeReference;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** What the auto-configuration registers, under which conditions, and how properties bind. */
class IpcWorkersAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, IpcWorkersAutoConfiguration.class))
        .withPropertyValues("ipc.auto-startup=false");

    @Test
    void registersTheCoreBeansWithoutAnyPool() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(ProcessManager.class)
                .hasSingleBean(MessageFactory.class)
                .hasSingleBean(MessageBus.class)
                .hasSingleBean(ListenerRegistry.class)
                .hasSingleBean(IpcListenerAnnotationBeanPostProcessor.class)
                .hasSingleBean(WorkerPoolsLifecycle.class);
            assertThat(context.getBean(WorkerPools.class).pools()).isEmpty();
        });
    }

    @Test
    void theClassDataSharingDirectoryIsBoundAndCreatedForThePools(@TempDir Path temp) {
        Path directory = temp.resolve("cds").resolve("archives");
        this.runner.withPropertyValues("ipc.class-data-sharing.directory=" + directory).run((context) -> {
            assertThat(context).hasSingleBean(WorkerPools.class);
            assertThat(context.getBean(IpcWorkersProperties.class).getClassDataSharing().getDirectory())
                .isEqualTo(directory);
            assertThat(directory).isDirectory();
        });
    }

    @Test
    void backsOffEntirelyWhenDisabled() {
        this.runner.withPropertyValues("ipc.enabled=false").run((context) -> assertThat(context)
            .doesNotHaveBean(ProcessManager.class)
            .doesNotHaveBean(MessageBus.class)
            .doesNotHaveBean(MessageFactory.class)
            .doesNotHaveBean(IpcListenerAnnotationBeanPostProcessor.class));
    }

    @Test
    void configuresNothingInsideAWorkerJvm() {
        this.runner.withSystemProperties(WorkerJvm.PROPERTY + "=true")
            .withPropertyValues("ipc.pools.plain.worker=" + PlainWorker.class.getName())
            .run((context) -> assertThat(context).doesNotHaveBean(ProcessManager.class)
                .doesNotHaveBean(MessageBus.class)
                .doesNotHaveBean(WorkerPoolsLifecycle.class));
    }

    @Test
    void backsOffForUserDefinedBeans() {
        this.runner.withUserConfiguration(UserBeans.class).run((context) -> {
            assertThat(context).hasSingleBean(ProcessManager.class).hasSingleBean(MessageFactory.class)
                .hasSingleBean(MessageBus.class).doesNotHaveBean(WorkerPools.class)
                .doesNotHaveBean(WorkerPoolsLifecycle.class);
            assertThat(context.getBean(MessageFactory.class)).isSameAs(UserBeans.factory);
            assertThat(context.getBean(MessageBus.class)).isSameAs(UserBeans.bus);
        });
    }

    @Test
    void bindsEveryPoolProperty() {
        this.runner.withPropertyValues("ipc.pools.thumbs.workers=3",
                "ipc.pools.thumbs.worker=" + PlainWorker.class.getName(),
                "ipc.pools.thumbs.jvm-args=-Xmx96m,-Dfoo=bar",
                "ipc.pools.thumbs.environment.API_TOKEN=secret",
                "ipc.pools.thumbs.routing=round-robin",
                "ipc.pools.thumbs.max-in-flight=8",
                "ipc.pools.thumbs.request-timeout=2s",
                "ipc.pools.thumbs.interrupt-timed-out-requests=true",
                "ipc.pools.thumbs.acquire-timeout=250ms",
                "ipc.pools.thumbs.start-timeout=20s",
                "ipc.pools.thumbs.stop-timeout=3s",
                "ipc.pools.thumbs.restart.backoff=100ms",
                "ipc.pools.thumbs.restart.max-backoff=5s",
                "ipc.pools.thumbs.restart.max-crashes=4",
                "ipc.pools.thumbs.restart.crash-window=2m",
                "ipc.pools.thumbs.restart.cool-down=15s",
                "ipc.pools.thumbs.heartbeat.interval=500ms",
                "ipc.pools.thumbs.heartbeat.timeout=4s",
                "ipc.pools.thumbs.handler-timeout=90s",
                "ipc.pools.thumbs.max-waiting=50",
                "ipc.pools.thumbs.recycle.after-messages=10000",
                "ipc.pools.thumbs.recycle.jitter=0.2",
                "ipc.pools.thumbs.recycle.max-heap=200MB",
                "ipc.pools.thumbs.recycle.max-rss=1GB",
                "ipc.pools.thumbs.delivery.mode=redeliver",
                "ipc.pools.thumbs.delivery.max-redeliveries=2",
                "ipc.pools.other.worker=" + PlainWorker.class.getName())
            .run((context) -> {
                PoolSettings thumbs = context.getBean(WorkerPools.class).pool("thumbs").settings();
                assertThat(thumbs).isEqualTo(new PoolSettings("thumbs", 3, PlainWorker.class.getName(),
                        List.of("-Xmx96m", "-Dfoo=bar"), Map.of("API_TOKEN", "secret"), Routing.ROUND_ROBIN, 8, 50,
                        Duration.ofSeconds(2), Duration.ofMillis(250), Duration.ofSeconds(20), Duration.ofSeconds(3),
                        new PoolSettings.Supervision(Duration.ofMillis(100), Duration.ofSeconds(5), 4,
                                Duration.ofMinutes(2), Duration.ofSeconds(15), Duration.ofMillis(500),
                                Duration.ofSeconds(4), Duration.ofSeconds(90)),
                        new PoolSettings.Recycling(10000, 0.2, 200L * 1024 * 1024, 1024L * 1024 * 1024),
                        new PoolSettings.DeliveryPolicy(PoolSettings.DeliveryMode.REDELIVER, 2), true));
                PoolSettings other = context.getBean(WorkerPools.class).pool("other").settings();
                assertThat(other).isEqualTo(PoolSettings.of("other", 1, PlainWorker.class.getName()));
            });
    }

    @Test
    void aParentBeanWithABrokenListenerFailsStartUpNamingTheBeanAndTheMethod() {
        this.runner.withBean("brokenListener", BrokenListener.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("Invalid @IpcListener method on bean "
                    + "'brokenListener': @IpcListener method " + BrokenListener.class.getName() + ".both(String, String) "
                    + "has more than one payload parameter");
        });
    }

    @Test
    void aParentBeanWhoseListenerTakesAParentProcessFailsStartUpSayingItWouldNeverHaveOne() {
        this.runner.withBean("parentTaker", ParentTakingListener.class).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("Invalid @IpcListener method on bean "
                    + "'parentTaker': @IpcListener method " + ParentTakingListener.class.getName() + ".answer(String, "
                    + "ParentProcess) takes a ParentProcess, but listeners in the parent are never given one");
        });
    }

    @Test
    void listenerTopicsAndPoolMayBePropertyPlaceholdersOrExpressions() {
        this.runner.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class))
            .withPropertyValues("app.topic=resized", "app.pool=thumbnails")
            .withBean(PlaceholderListener.class)
            .run((context) -> {
                ListenerRegistry registry = context.getBean(ListenerRegistry.class);
                assertThat(registry.topics()).containsExactlyInAnyOrder("resized", "literal", "thumbnails-done");
                assertThat(registry.find("resized", "thumbnails")).hasSize(1);
                assertThat(registry.find("resized", "other")).isEmpty();
                assertThat(registry.find("thumbnails-done", "other")).hasSize(1);
            });
    }

    @Test
    void theProcessManagerBeansChildrenRunWithTheirJvmArgsAndEnvironment() {
        this.runner.withPropertyValues("ipc.process-manager.jvm-args=-Xmx48m,-Dchild.flag=on",
                "ipc.process-manager.environment.CHILD_TOKEN=s3cret").run((context) -> {
                    ProcessManager processManager = context.getBean(ProcessManager.class);
                    ChildProcess child = processManager.runProcess(new ChildSettingsReport());

                    Map<String, Object> report = child.getNextMessage(Duration.ofSeconds(20))
                        .payloadAs(new TypeReference<Map<String, Object>>() { });
                    assertThat(report).containsEntry("token", "s3cret").containsEntry("flag", "on");
                    assertThat(((Number) report.get("maxHeap")).longValue()).isLessThanOrEqualTo(48L << 20);
                    processManager.awaitAll();
                });
    }

    @Test
    void springWorkersGetTheApplicationsActiveProfilesAndConfigurationLocationsUnlessTheirPoolSetsThem() {
        String spring = "io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig";
        // as the command line gives them, which a worker does not see
        this.runner.withPropertyValues("spring.profiles.active=prod,eu", "spring.config.additional-location=file:/etc/app/",
                "ipc.pools.spring.worker=" + spring, "ipc.pools.plain.worker=" + PlainWorker.class.getName(),
                "ipc.pools.own.worker=" + spring, "ipc.pools.own.environment.SPRING_PROFILES_ACTIVE=worker")
            .run((context) -> {
                WorkerPools pools = context.getBean(WorkerPools.class);
                assertThat(pools.pool("spring").settings().environment()).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "SPRING_PROFILES_ACTIVE", "prod,eu", "SPRING_CONFIG_ADDITIONALLOCATION", "file:/etc/app/"));
                assertThat(pools.pool("plain").settings().environment()).as("no Spring context to read them").isEmpty();
                assertThat(pools.pool("own").settings().environment()).containsEntry("SPRING_PROFILES_ACTIVE", "worker")
                    .containsEntry("SPRING_CONFIG_ADDITIONALLOCATION", "file:/etc/app/");
            });
        this.runner.withPropertyValues("ipc.pools.spring.worker=" + spring)
            .run((context) -> assertThat(context.getBean(WorkerPools.class).pool("spring").settings().environment())
                .as("the default profile, files where Boot looks by default").isEmpty());
    }

    @Test
    void springWorkersGetTheApplicationsCommandLineWhenItIsPartOfTheApplicationsSettings() {
        String spring = "io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig";
        // the active profiles go on as the application resolved them (also those it adds in code), not narrowed
        String[] arguments = { "--app.limit=5", "--greeting.farewell=adieu", "--spring.profiles.active=prod", "report.csv" };
        ApplicationContextRunner runner = this.runner
            .withPropertyValues("ipc.pools.spring.worker=" + spring, "ipc.pools.plain.worker=" + PlainWorker.class.getName(),
                    "ipc.pools.own.worker=" + spring, "ipc.pools.own.environment.GREETING_FAREWELL=farewell")
            .withBean(ApplicationArguments.class, () -> new DefaultApplicationArguments(arguments));
        runner.withInitializer((context) -> context.getEnvironment().getPropertySources()
                .addFirst(new SimpleCommandLinePropertySource(arguments)))
            .run((context) -> {
                WorkerPools pools = context.getBean(WorkerPools.class);
                assertThat(pools.pool("spring").settings().environment()).containsExactlyInAnyOrderEntriesOf(Map.of(
                        "IPCWORKERS_APPLICATION_ARGS", "[\"--app.limit=5\",\"--greeting.farewell=adieu\",\"report.csv\"]",
                        "SPRING_PROFILES_ACTIVE", "prod"));
                assertThat(pools.pool("plain").settings().environment()).as("no Spring context to read them").isEmpty();
                assertThat(pools.pool("own").settings().environment()).as("the pool's own setting stays")
                    .containsExactlyInAnyOrderEntriesOf(Map.of("GREETING_FAREWELL", "farewell", "SPRING_PROFILES_ACTIVE", "prod",
                            "IPCWORKERS_APPLICATION_ARGS", "[\"--app.limit=5\",\"report.csv\"]"));
            });
        // as SpringApplication.setAddCommandLineProperties(false) leaves it: arguments, but not settings
        runner.run((context) -> assertThat(context.getBean(WorkerPools.class).pool("spring").settings().environment()).isEmpty());
    }

    @Test
    void springWorkersGetTheImportsOfTheApplicationsCommandLineAndSystemPropertiesButNotThoseOfItsFiles() {
        String spring = "io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig";
        this.runner.withPropertyValues("ipc.pools.spring.worker=" + spring, "ipc.pools.plain.worker=" + PlainWorker.class.getName())
            .withInitializer((context) -> context.getEnvironment().getPropertySources()
                .addFirst(new SimpleCommandLinePropertySource("--spring.config.import=configtree:/run/secrets/")))
            .withSystemProperties("spring.config.import=optional:file:/etc/app/more.yml")
            .run((context) -> {
                WorkerPools pools = context.getBean(WorkerPools.class);
                assertThat(pools.pool("spring").settings().environment()).as("the command line's, over the system property's")
                    .containsExactlyEntriesOf(Map.of("SPRING_CONFIG_IMPORT", "configtree:/run/secrets/"));
                assertThat(pools.pool("plain").settings().environment()).isEmpty();
            });
        this.runner.withPropertyValues("ipc.pools.spring.worker=" + spring)
            .withSystemProperties("spring.config.import=optional:file:/etc/app/more.yml")
            .run((context) -> assertThat(context.getBean(WorkerPools.class).pool("spring").settings().environment())
                .containsExactlyEntriesOf(Map.of("SPRING_CONFIG_IMPORT", "optional:file:/etc/app/more.yml")));
        // SpringApplication.setDefaultProperties may give a list
        this.runner.withPropertyValues("ipc.pools.spring.worker=" + spring)
            .withInitializer((context) -> context.getEnvironment().getPropertySources().addLast(new MapPropertySource(
                    DefaultPropertiesPropertySource.NAME, Map.of("spring.config.import", List.of("optional:a.yml", "optional:b.yml")))))
            .run((context) -> assertThat(context.getBean(WorkerPools.class).pool("spring").settings().environment())
                .containsExactlyEntriesOf(Map.of("SPRING_CONFIG_IMPORT", "optional:a.yml,optional:b.yml")));
        // as an application.yml says it: the worker reads that file itself, the import relative to it
        this.runner.withPropertyValues("ipc.pools.spring.worker=" + spring, "spring.config.import=optional:extra.yml")
            .run((context) -> assertThat(context.getBean(WorkerPools.class).pool("spring").settings().environment())
                .isEmpty());
    }

    @Test
    void underLazyInitializationBeansWithListenersAreStillCreatedAndTheirListenersRegistered() {
        // what spring.main.lazy-initialization=true makes SpringApplication add
        this.runner.withInitializer((context) -> context.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
            .withBean("progress", ProgressListener.class)
            .withBean("unrelated", Object.class)
            .run((context) -> {
                assertThat(context.getBean(ListenerRegistry.class).topics()).containsExactly("progress");
                assertThat(context.getBeanFactory().containsSingleton("progress")).isTrue();
                assertThat(context.getBeanFactory().containsSingleton("unrelated")).as("left lazy").isFalse();
            });
    }

    public static class ProgressListener {

        @io.ipcworkers.IpcListener("progress")
        public void progress(int percent) {
        }
    }

    @Test
    void aListenerPlaceholderWithoutAValueFailsStartUpNamingTheBeanAndThePlaceholder() {
        this.runner.withConfiguration(AutoConfigurations.of(PropertyPlaceholderAutoConfiguration.class))
            .withPropertyValues("app.pool=thumbnails")
            .withBean("placeholderListener", PlaceholderListener.class)
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).hasStackTraceContaining("Invalid @IpcListener method on bean "
                        + "'placeholderListener'").hasStackTraceContaining("Could not resolve placeholder 'app.topic'");
            });
    }

    public static class PlaceholderListener {

        @io.ipcworkers.IpcListener(topics = { "${app.topic}", "literal" }, pool = "${app.pool}")
        public void resized(String name) {
        }

        @io.ipcworkers.IpcListener("#{'${app.pool}' + '-done'}")
        public void done() {
        }
    }

    public static class BrokenListener {

        @io.ipcworkers.IpcListener("both")
        public void both(String one, String two) {
        }
    }

    public static class ParentTakingListener {

        @io.ipcworkers.IpcListener("answer")
        public void answer(String text, io.ipcworkers.ParentProcess parent) {
        }
    }

    @Test
    void poolsStartOnlyWhenAutoStartupIsOn() {
        this.runner.withPropertyValues("ipc.pools.plain.worker=" + PlainWorker.class.getName())
            .run((context) -> assertThat(context.getBean(WorkerPoolsLifecycle.class).isRunning()).isFalse());
        assertThat(new IpcWorkersProperties().isAutoStartup()).isTrue();
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBeans {

        static final MessageFactory factory = new MessageFactory();

        static final MessageBus bus = new MessageBus() {

            @Override
            public void send(String pool, String topic, @Nullable Object payload) {
            }

            @Override
            public int broadcast(String pool, String topic, @Nullable Object payload) {
                return 0;
            }

            @Override
            public <T> java.util.concurrent.CompletableFuture<T> request(String pool, String topic,
                    @Nullable Object payload, Class<T> replyType) {
                return new java.util.concurrent.CompletableFuture<>();
            }

            @Override
            public <T> java.util.concurrent.CompletableFuture<T> request(String pool, String topic,
                    @Nullable Object payload, Class<T> replyType, java.time.Duration timeout) {
                return new java.util.concurrent.CompletableFuture<>();
            }
        };

        @Bean
        MessageFactory userMessageFactory() {
            return factory;
        }

        @Bean
        MessageBus userMessageBus() {
            return bus;
        }

        @Bean(destroyMethod = "close")
        ProcessManager userProcessManager() {
            return new ProcessManager();
        }
    }

    /** A child of the process manager: tells the parent what its JVM was started with. */
    static class ChildSettingsReport implements WorkerTask {

        private static final long serialVersionUID = 1L;

        @Override
        public void run(ChildProcess self, ParentProcess parent) {
            Map<String, Object> report = new HashMap<>();
            report.put("token", System.getenv("CHILD_TOKEN"));
            report.put("flag", System.getProperty("child.flag"));
            report.put("maxHeap", Runtime.getRuntime().maxMemory());
            parent.sendMessage(Message.of("settings", report));
        }
    }
}
