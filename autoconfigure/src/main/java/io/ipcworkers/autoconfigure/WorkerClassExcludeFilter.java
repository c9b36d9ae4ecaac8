package io.ipcworkers.autoconfigure;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * Keeps the worker classes named in {@code ipc.pools.*.worker} out of component scanning. A Spring
 * worker's {@code @Configuration} often sits in the application's packages; instantiated in the
 * parent it would fail (there is no {@code ParentProcess} there) or start the worker's beans twice.
 */
class WorkerClassExcludeFilter extends TypeExcludeFilter {

    private final Set<String> workerClasses;

    WorkerClassExcludeFilter(Environment environment) {
        this.workerClasses = poolsOf(environment).values().stream()
            .map(IpcWorkersProperties.Pool::getWorker)
            .filter((worker) -> worker != null && !worker.isBlank())
            .map(String::trim)
            .collect(Collectors.toUnmodifiableSet());
    }

    /** Invalid pool properties are reported when they are bound for real; here they only mean "no exclusions". */
    private static Map<String, IpcWorkersProperties.Pool> poolsOf(Environment environment) {
        try {
            return Binder.get(environment)
                .bind("ipc.pools", Bindable.mapOf(String.class, IpcWorkersProperties.Pool.class))
                .orElse(Map.of());
        }
        catch (RuntimeException ex) {
            return Map.of();
        }
    }

    @Override
    public boolean match(MetadataReader metadataReader, MetadataReaderFactory metadataReaderFactory) throws IOException {
        return this.workerClasses.contains(metadataReader.getClassMetadata().getClassName());
    }

    Set<String> workerClasses() {
        return this.workerClasses;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WorkerClassExcludeFilter filter && this.workerClasses.equals(filter.workerClasses);
    }

    @Override
    public int hashCode() {
        return this.workerClasses.hashCode();
    }
}
