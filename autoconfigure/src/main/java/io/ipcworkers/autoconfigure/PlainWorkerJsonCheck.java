package io.ipcworkers.autoconfigure;

import java.text.DateFormat;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.ipcworkers.codec.DefaultJsonMapper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.jackson.JacksonComponent;
import org.springframework.boot.jackson.JacksonMixinModuleEntries;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategy;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.StdDateFormat;

/**
 * Warns at start-up when plain workers would convert payloads differently from the application. They
 * use the {@link DefaultJsonMapper} (Jackson's defaults and the modules found on the class path), so
 * neither {@code spring.jackson.*} settings nor Jackson modules registered as beans reach them: a
 * naming strategy, say, makes the parent write {@code image_path} where the worker looks for
 * {@code imagePath}, and Jackson leaves the field empty without a word. Boot's own modules for
 * {@code @JacksonComponent} and {@code @JacksonMixin} classes are in every application's mapper, mostly
 * empty, so what is compared is what they hold: the {@code @JacksonComponent} beans and the
 * {@code @JacksonMixin} classes found. (Mix-ins added by code are not: Jackson does not list them, and
 * Boot adds one for {@code ProblemDetail} to every web application's mapper.) What a
 * {@link io.ipcworkers.codec.JsonMapperCustomizer} gives the workers is compared as well, since it is
 * part of their mapper.
 */
final class PlainWorkerJsonCheck {

    private static final Log logger = LogFactory.getLog(PlainWorkerJsonCheck.class);

    private static final String BOOT_MODULES = "org.springframework.boot.jackson.";

    private static final String COMPONENT_MODULE = BOOT_MODULES + "JacksonComponentModule";

    private static final String MIXIN_MODULE = BOOT_MODULES + "JacksonMixinModule";

    private PlainWorkerJsonCheck() {
    }

    /** Logs one warning naming the pools and every difference, if there is any. */
    static void warnIfDifferent(List<String> plainWorkerPools, JsonMapper application, ListableBeanFactory beans,
            @Nullable ClassLoader classLoader) {
        if (plainWorkerPools.isEmpty() || application == DefaultJsonMapper.get()) {
            return;
        }
        List<String> differences = differences(application, DefaultJsonMapper.get(),
                BootJackson.of(beans, classLoader));
        if (!differences.isEmpty()) {
            logger.warn("Pools " + plainWorkerPools + " run plain workers, which convert payloads with Jackson's "
                    + "defaults and the Jackson modules on the class path, but the application's JsonMapper differs: "
                    + String.join("; ", differences) + ". Payloads may then read differently in the workers (a field "
                    + "left empty, without an error). Give the workers the same settings with a "
                    + "io.ipcworkers.codec.JsonMapperCustomizer listed in META-INF/services (a class that is also "
                    + "Boot's JsonMapperBuilderCustomizer, declared as a bean, serves both sides), register the "
                    + "modules there too, or give these pools a Spring worker whose context configures Jackson the "
                    + "same way.");
        }
    }

    /**
     * What the application's mapper does that the workers' does not, one entry per difference.
     * @param boot what Boot's Jackson support found in the application, which its mapper may hold
     */
    static List<String> differences(JsonMapper application, JsonMapper workers, BootJackson boot) {
        List<String> differences = new ArrayList<>();
        addSettingDifferences(application, workers, differences);
        addModuleDifferences(application, workers, boot, differences);
        return differences;
    }

    /** The naming strategy, features, date format and time zone. */
    private static void addSettingDifferences(JsonMapper application, JsonMapper workers, List<String> differences) {
        SerializationConfig applicationConfig = application.serializationConfig();
        SerializationConfig workerConfig = workers.serializationConfig();
        String naming = nameOf(applicationConfig.getPropertyNamingStrategy());
        if (!Objects.equals(naming, nameOf(workerConfig.getPropertyNamingStrategy()))) {
            differences.add("property naming strategy " + naming);
        }
        addFeatures(SerializationFeature.values(), application::isEnabled, workers::isEnabled, differences);
        addFeatures(DeserializationFeature.values(), application::isEnabled, workers::isEnabled, differences);
        addFeatures(MapperFeature.values(), application::isEnabled, workers::isEnabled, differences);
        DateFormat dateFormat = applicationConfig.getDateFormat();
        if (dateFormat != null && !(dateFormat instanceof StdDateFormat)) {
            differences.add("date format " + ((dateFormat instanceof SimpleDateFormat pattern) ? pattern.toPattern()
                    : dateFormat.getClass().getName()));
        }
        String timeZone = zoneOf(applicationConfig);
        if (!Objects.equals(timeZone, zoneOf(workerConfig))) {
            differences.add("time zone " + timeZone);
        }
    }

    /** Modules either mapper registers alone, and the serializers and mix-ins Boot's Jackson support added. */
    private static void addModuleDifferences(JsonMapper application, JsonMapper workers, BootJackson boot,
            List<String> differences) {
        Set<String> workerModules = workers.registeredModules().stream().map(JacksonModule::getModuleName)
            .collect(Collectors.toSet());
        List<String> missing = application.registeredModules().stream()
            .filter((module) -> !module.getClass().getName().startsWith(BOOT_MODULES))
            .map(JacksonModule::getModuleName)
            .filter((name) -> !workerModules.contains(name))
            .toList();
        if (!missing.isEmpty()) {
            differences.add("Jackson modules the workers do not find on the class path " + missing
                    + " (registered as beans or by code)");
        }
        Set<String> applicationModules = application.registeredModules().stream().map(JacksonModule::getModuleName)
            .collect(Collectors.toSet());
        List<String> extra = workerModules.stream().filter((name) -> !applicationModules.contains(name)).sorted()
            .toList();
        if (!extra.isEmpty()) {
            differences.add("Jackson modules the workers register and the application's mapper does not " + extra
                    + " (the workers add those on the class path, which spring.jackson.find-and-add-modules=false "
                    + "turns off for the application)");
        }
        if (registers(application, COMPONENT_MODULE) && !boot.componentBeans().isEmpty()) {
            differences.add("serializers of @JacksonComponent beans " + boot.componentBeans());
        }
        if (registers(application, MIXIN_MODULE)) {
            SerializationConfig workerConfig = workers.serializationConfig();
            List<String> mixedIn = boot.mixIns().entrySet().stream()
                .filter((mixIn) -> mixIn.getValue() != workerConfig.findMixInClassFor(mixIn.getKey()))
                .map((mixIn) -> mixIn.getKey().getName())
                .sorted()
                .toList();
            if (!mixedIn.isEmpty()) {
                differences.add("@JacksonMixin mix-ins for " + mixedIn);
            }
        }
    }

    private static boolean registers(JsonMapper mapper, String moduleClass) {
        return mapper.registeredModules().stream()
            .anyMatch((module) -> module.getClass().getName().equals(moduleClass));
    }

    private static @Nullable String zoneOf(SerializationConfig config) {
        return (config.getTimeZone() != null) ? config.getTimeZone().getID() : null;
    }

    private static @Nullable String nameOf(@Nullable PropertyNamingStrategy strategy) {
        return (strategy != null) ? strategy.getClass().getSimpleName() : null;
    }

    /**
     * What Boot's Jackson support found in the application: the {@code @JacksonComponent} beans and the
     * {@code @JacksonMixin} classes, by the class each mixes into.
     */
    record BootJackson(List<String> componentBeans, Map<Class<?>, Class<?>> mixIns) {

        static final BootJackson NONE = new BootJackson(List.of(), Map.of());

        static BootJackson of(ListableBeanFactory beans, @Nullable ClassLoader classLoader) {
            return ClassUtils.isPresent(MIXIN_MODULE, PlainWorkerJsonCheck.class.getClassLoader())
                    ? BootJacksonBeans.find(beans, classLoader) : NONE;
        }
    }

    /** Refers to Boot's Jackson classes, so loaded only when they are present. */
    private static final class BootJacksonBeans {

        static BootJackson find(ListableBeanFactory beans, @Nullable ClassLoader classLoader) {
            List<String> components = List.of(BeanFactoryUtils.beanNamesForAnnotationIncludingAncestors(beans,
                    JacksonComponent.class));
            Map<Class<?>, Class<?>> mixIns = new HashMap<>();
            JacksonMixinModuleEntries entries = beans.getBeanProvider(JacksonMixinModuleEntries.class).getIfUnique();
            if (entries != null) {
                entries.doWithEntry(classLoader, mixIns::put);
            }
            return new BootJackson(components, mixIns);
        }
    }

    private static <F extends Enum<F>> void addFeatures(F[] features, Predicate<F> application, Predicate<F> workers,
            List<String> differences) {
        for (F feature : features) {
            boolean enabled = application.test(feature);
            if (enabled != workers.test(feature)) {
                differences.add(feature.getDeclaringClass().getSimpleName() + "." + feature.name()
                        + (enabled ? " enabled" : " disabled"));
            }
        }
    }
}
