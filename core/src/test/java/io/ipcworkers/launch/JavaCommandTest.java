package io.ipcworkers.launch;

import java.io.File;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JavaCommandTest {

    private static final String SEP = File.pathSeparator;

    @Test
    void ownEntryMovesToTheFrontAndNothingElseMoves() {
        String classPath = String.join(SEP, "/app/a.jar", "/app/b.jar", "/libs/ipc-workers-core.jar", "/app/c.jar");
        assertThat(JavaCommand.withOwnEntryFirst(classPath, "/libs/ipc-workers-core.jar"))
            .isEqualTo(String.join(SEP, "/libs/ipc-workers-core.jar", "/app/a.jar", "/app/b.jar", "/app/c.jar"));
    }

    @Test
    void classPathStaysAsItIsWhenOwnEntryIsFirstOrUnknown() {
        String classPath = String.join(SEP, "/libs/ipc-workers-core.jar", "/app/a.jar");
        assertThat(JavaCommand.withOwnEntryFirst(classPath, "/libs/ipc-workers-core.jar")).isEqualTo(classPath);
        assertThat(JavaCommand.withOwnEntryFirst(classPath, "/elsewhere/x.jar")).isEqualTo(classPath);
        assertThat(JavaCommand.withOwnEntryFirst(classPath, null)).isEqualTo(classPath);
    }

    @Test
    void childrenRunTheJavaLauncherEvenWhenThisJvmRunsInAProgramOfItsOwn() throws Exception {
        assertThat(JavaCommand.javaExecutable("/opt/jdk/bin/java", "/opt/jdk")).isEqualTo("/opt/jdk/bin/java");
        assertThat(JavaCommand.javaExecutable("/usr/bin/jsvc", "/opt/jdk")).isEqualTo("/opt/jdk/bin/java");
        assertThat(JavaCommand.javaExecutable("/opt/app/bin/javaservice", "/opt/jdk")).isEqualTo("/opt/jdk/bin/java");
        assertThat(JavaCommand.javaExecutable(null, "/opt/jdk")).isEqualTo("/opt/jdk/bin/java");
        assertThat(JavaCommand.forCurrentJvm().build(List.of(), "Main", Path.of("/tmp")).get(0))
            .endsWith(File.separator + "java");
    }

    @Test
    void childIsToldTheParentsSelectorProvider() {
        assertThat(JavaCommand.selectorProviderProperty())
            .isEqualTo("-Djava.nio.channels.spi.SelectorProvider=" + SelectorProvider.provider().getClass().getName());
    }
}
