package io.ipcworkers.autoconfigure.jsonmixin;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.context.annotation.Configuration;

/** Makes this package one Boot scans for {@code @JacksonMixin} classes, as an application's own package is. */
@Configuration(proxyBeanMethods = false)
@AutoConfigurationPackage
public class JsonMixInPackage {
}
