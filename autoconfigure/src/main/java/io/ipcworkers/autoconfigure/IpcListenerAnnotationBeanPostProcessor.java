package io.ipcworkers.autoconfigure;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.ipcworkers.IpcListener;
import io.ipcworkers.dispatch.ListenerEndpoint;
import io.ipcworkers.dispatch.ListenerRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.EmbeddedValueResolver;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.StringValueResolver;

/**
 * Finds {@link IpcListener} methods on every bean as it is initialized and registers them. Used in
 * the parent (messages from workers) and in Spring workers (messages from the parent). Invokes
 * through proxies, so transactional or otherwise advised listeners keep their advice. Topics and pool
 * may be given as property placeholders ({@code ${…}}) or SpEL expressions ({@code #{…}}), resolved
 * against the bean factory, as for {@code @KafkaListener}.
 */
public class IpcListenerAnnotationBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware, EnvironmentAware {

    private final Supplier<ListenerRegistry> registry;

    private @Nullable StringValueResolver resolver;

    private @Nullable Environment environment;

    private final Set<Class<?>> classesWithoutListeners = ConcurrentHashMap.newKeySet();

    /**
     * @param registry where to register endpoints; resolved on first use, so that a registry bean is
     *     not created before the post-processors that might apply to it
     */
    public IpcListenerAnnotationBeanPostProcessor(Supplier<ListenerRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        if (beanFactory instanceof ConfigurableBeanFactory configurable) {
            this.resolver = new EmbeddedValueResolver(configurable);
        }
    }

    /**
     * Placeholders are resolved against the environment first, strictly: a context without Boot's
     * placeholder configurer (a Spring worker's, say) would keep an unresolved one as the topic itself.
     */
    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> targetClass = AopUtils.getTargetClass(bean);
        if (this.classesWithoutListeners.contains(targetClass)) {
            return bean;
        }
        Map<Method, IpcListener> methods = listenerMethods(targetClass);
        if (methods.isEmpty()) {
            this.classesWithoutListeners.add(targetClass);
            return bean;
        }
        methods.forEach((method, annotation) -> {
            Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
            try {
                this.registry.get().register(ListenerEndpoint.create(bean, invocable, annotation, this::resolve));
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalStateException("Invalid @IpcListener method on bean '" + beanName + "': "
                        + ex.getMessage(), ex);
            }
        });
        return bean;
    }

    /** A class's {@link IpcListener} methods, inherited and overridden ones included. */
    static Map<Method, IpcListener> listenerMethods(Class<?> targetClass) {
        if (!AnnotationUtils.isCandidateClass(targetClass, IpcListener.class)) {
            return Map.of();
        }
        return MethodIntrospector.selectMethods(targetClass, (MethodIntrospector.MetadataLookup<IpcListener>) (method) ->
                AnnotatedElementUtils.findMergedAnnotation(method, IpcListener.class));
    }

    private @Nullable String resolve(String value) {
        String placed = (this.environment != null) ? this.environment.resolveRequiredPlaceholders(value) : value;
        return (this.resolver != null) ? this.resolver.resolveStringValue(placed) : placed;
    }
}
