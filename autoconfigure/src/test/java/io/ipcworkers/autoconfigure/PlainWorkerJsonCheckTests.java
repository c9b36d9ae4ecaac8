package io.ipcworkers.autoconfigure;

import io.ipcworkers.autoconfigure.PlainWorkerJsonCheck.BootJackson;
import io.ipcworkers.autoconfigure.it.PlainWorker;
import io.ipcworkers.autoconfigure.it.springworker.SpringWorkerConfig;
import io.ipcworkers.autoconfigure.jsonmixin.JsonMixInPackage;
import io.ipcworkers.autoconfigure.jsonmixin.Temperature;
import io.ipcworkers.codec.DefaultJsonMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.JacksonComponent;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

import static org.assertj.core.api.Assertions.assertThat;

/** Plain workers convert with Jackson's defaults: a start-up warning says when the application does not. */
@ExtendWith(OutputCaptureExtension.class)
class PlainWorkerJsonCheckTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, IpcWorkersAutoConfiguration.class))
        .withPropertyValues("ipc.auto-startup=false");

    @Test
    void bootsJsonMapperAsAutoConfiguredConvertsAsAPlainWorkerDoes() {
        this.runner.run((context) -> assertThat(PlainWorkerJsonCheck.differences(context.getBean(JsonMapper.class),
                DefaultJsonMapper.get(), BootJackson.of(context, null))).isEmpty());
    }

    @Test
    void everySettingAndModuleThatPlainWorkersDoNotShareIsNamed() {
        this.runner.withUserConfiguration(ModuleBean.class)
            .withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE",
                    "spring.jackson.serialization.indent-output=true",
                    "spring.jackson.deserialization.fail-on-unknown-properties=true",
                    "spring.jackson.date-format=yyyy-MM-dd", "spring.jackson.time-zone=Europe/Paris")
            .run((context) -> assertThat(PlainWorkerJsonCheck.differences(context.getBean(JsonMapper.class),
                    DefaultJsonMapper.get(), BootJackson.of(context, null)))
                .containsExactly("property naming strategy SnakeCaseStrategy",
                        "SerializationFeature.INDENT_OUTPUT enabled",
                        "DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES enabled",
                        "date format yyyy-MM-dd",
                        "time zone Europe/Paris",
                        "Jackson modules the workers do not find on the class path [money] (registered as beans or by code)"));
    }

    @Test
    void jacksonComponentBeansAndMixInsThatPlainWorkersDoNotHaveAreNamedAtStartUp(CapturedOutput output) {
        this.runner.withUserConfiguration(JsonMixInPackage.class)
            .withBean("temperatureJson", TemperatureJson.class)
            .withPropertyValues("ipc.pools.thumbs.worker=" + PlainWorker.class.getName())
            .run((context) -> {
                assertThat(context).hasNotFailed();
                JsonMapper application = context.getBean(JsonMapper.class);
                assertThat(application.writeValueAsString(new Temperature(21.5))).isEqualTo("\"21.5 °C\"");
                assertThat(DefaultJsonMapper.get().writeValueAsString(new Temperature(21.5))).isEqualTo("{\"celsius\":21.5}");
                assertThat(application.serializationConfig().findMixInClassFor(Temperature.class)).isNotNull();
                assertThat(DefaultJsonMapper.get().serializationConfig().findMixInClassFor(Temperature.class)).isNull();
                assertThat(output).contains("Pools [thumbs] run plain workers")
                    .contains("differs: serializers of @JacksonComponent beans [temperatureJson]; @JacksonMixin "
                            + "mix-ins for [" + Temperature.class.getName() + "]. Payloads may then read differently");
            });
    }

    @Test
    void modulesOnTheClassPathThatTheApplicationDoesNotFindAreNamed() {
        this.runner.run((context) -> assertThat(context.getBean(JsonMapper.class).registeredModules())
            .extracting(JacksonModule::getModuleName).contains("class-path-module"));
        this.runner.withPropertyValues("spring.jackson.find-and-add-modules=false")
            .run((context) -> assertThat(PlainWorkerJsonCheck.differences(context.getBean(JsonMapper.class),
                    DefaultJsonMapper.get(), BootJackson.of(context, null)))
                .containsExactly("Jackson modules the workers register and the application's mapper does not "
                        + "[class-path-module] (the workers add those on the class path, which "
                        + "spring.jackson.find-and-add-modules=false turns off for the application)"));
    }

    @Test
    void aPlainWorkerPoolIsWarnedAboutAtStartUp(CapturedOutput output) {
        this.runner.withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE",
                "ipc.pools.thumbs.worker=" + PlainWorker.class.getName(),
                "ipc.pools.reports.worker=" + SpringWorkerConfig.class.getName())
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(output).contains("Pools [thumbs] run plain workers, which convert payloads with Jackson's "
                        + "defaults and the Jackson modules on the class path, but the application's JsonMapper "
                        + "differs: property naming strategy SnakeCaseStrategy. Payloads may then read differently");
            });
    }

    @Test
    void noWarningWhenTheApplicationConvertsAsItsWorkersDoOrRunsOnlySpringWorkers(CapturedOutput output) {
        this.runner.withPropertyValues("ipc.pools.thumbs.worker=" + PlainWorker.class.getName())
            .run((context) -> assertThat(context).hasNotFailed());
        this.runner.withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE",
                "ipc.pools.reports.worker=" + SpringWorkerConfig.class.getName())
            .run((context) -> assertThat(context).hasNotFailed());

        assertThat(output).doesNotContain("run plain workers");
    }

    @Test
    void oneClassThatIsBothCustomizersGivesBootsMapperAndTheWorkersTheSameSettings() {
        SensorJson.Reading reading = new SensorJson.Reading(2.5);
        String workers = DefaultJsonMapper.get().writeValueAsString(reading);
        this.runner.run((context) -> assertThat(context.getBean(JsonMapper.class).writeValueAsString(reading))
            .isEqualTo("{\"value\":2.5}"));

        this.runner.withBean(SensorJson.class).run((context) -> {
            JsonMapper application = context.getBean(JsonMapper.class);
            assertThat(application.writeValueAsString(reading)).isEqualTo(workers).isEqualTo("{\"sensor_value\":2.5}");
            assertThat(application.readValue(workers, SensorJson.Reading.class)).isEqualTo(reading);
        });
    }

    /** Serializes a {@link Temperature} as text; Boot's module registers it from the bean. */
    @JacksonComponent
    static class TemperatureJson extends ValueSerializer<Temperature> {

        @Override
        public void serialize(Temperature value, JsonGenerator generator, SerializationContext context) {
            generator.writeString(value.celsius() + " °C");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ModuleBean {

        @Bean
        JacksonModule moneyModule() {
            return new SimpleModule("money");
        }
    }
}
