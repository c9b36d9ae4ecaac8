package io.ipcworkers.launch;

import java.io.File;
import java.nio.channels.spi.SelectorProvider;

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
    void childIsToldTheParentsSelectorProvider() {
        assertThat(JavaCommand.selectorProviderProperty())
            .isEqualTo("-Djava.nio.channels.spi.SelectorProvider=" + SelectorProvider.provider().getClass().getName());
    }
}
