package io.ipcworkers.autoconfigure.actuate;

import io.ipcworkers.autoconfigure.IpcWorkersAutoConfiguration;
import io.ipcworkers.pool.WorkerPools;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code ipcworkers} Actuator endpoint, when Actuator is present and the endpoint is exposed. */
@AutoConfiguration(after = IpcWorkersAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
        "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
public final class IpcWorkersEndpointAutoConfiguration {

    // on the method: class-level conditions are all loaded before any is evaluated, and this one's
    // class lives in the optional jar that the class-level condition checks for
    @Bean
    @ConditionalOnAvailableEndpoint(IpcWorkersEndpoint.class)
    @ConditionalOnBean(WorkerPools.class)
    @ConditionalOnMissingBean
    IpcWorkersEndpoint ipcWorkersEndpoint(WorkerPools pools) {
        return new IpcWorkersEndpoint(pools);
    }

    @Bean
    @ConditionalOnAvailableEndpoint(endpoint = IpcWorkersEndpoint.class, exposure = EndpointExposure.WEB)
    @ConditionalOnBean(IpcWorkersEndpoint.class)
    @ConditionalOnMissingBean
    IpcWorkersEndpointWebExtension ipcWorkersEndpointWebExtension(IpcWorkersEndpoint endpoint) {
        return new IpcWorkersEndpointWebExtension(endpoint);
    }
}
