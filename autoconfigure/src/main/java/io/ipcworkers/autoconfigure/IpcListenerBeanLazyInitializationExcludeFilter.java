package io.ipcworkers.autoconfigure;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.ipcworkers.IpcListener;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.util.ClassUtils;

/**
 * Keeps beans with {@link IpcListener} methods out of lazy initialization
 * ({@code spring.main.lazy-initialization=true}), as Spring Boot does for {@code @Scheduled} beans:
 * nothing asks for such a bean, so, lazy, it would never be created and its listeners never
 * registered. In the parent its topic's messages would go unheard; a Spring worker would have no
 * listener and fail to start. Registered in the parent and in every Spring worker.
 */
public final class IpcListenerBeanLazyInitializationExcludeFilter implements LazyInitializationExcludeFilter {

    private final Set<Class<?>> classesWithoutListeners = ConcurrentHashMap.newKeySet();

    @Override
    public boolean isExcluded(String beanName, BeanDefinition beanDefinition, Class<?> beanType) {
        Class<?> userClass = ClassUtils.getUserClass(beanType);
        if (this.classesWithoutListeners.contains(userClass)) {
            return false;
        }
        if (IpcListenerAnnotationBeanPostProcessor.listenerMethods(userClass).isEmpty()) {
            this.classesWithoutListeners.add(userClass);
            return false;
        }
        return true;
    }
}
