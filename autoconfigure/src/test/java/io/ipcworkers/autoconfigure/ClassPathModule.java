package io.ipcworkers.autoconfigure;

import tools.jackson.databind.module.SimpleModule;

/**
 * A Jackson module that changes nothing, listed in {@code META-INF/services} of the test class path, where
 * Boot's mapper and plain workers' both find it (unless {@code spring.jackson.find-and-add-modules=false}).
 */
public class ClassPathModule extends SimpleModule {

    private static final long serialVersionUID = 1L;

    public ClassPathModule() {
        super("class-path-module");
    }
}
