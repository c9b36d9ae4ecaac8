package io.ipcworkers.autoconfigure.worker;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The application's command line, from the application to its Spring workers. */
class ApplicationCommandLineTests {

    @Test
    void aWorkerGetsTheApplicationsArgumentsAsTheyWere() {
        List<String> arguments = List.of("--app.limit=5", "--debug", "report.csv", "--greeting=\"Grüße\", Zoë", "--", "");

        Map<String, String> variables = ApplicationCommandLine.variables(arguments, Set.of());

        assertThat(variables).containsOnlyKeys("IPCWORKERS_APPLICATION_ARGS");
        assertThat(ApplicationCommandLine.arguments(variables::get)).containsExactlyElementsOf(arguments);
    }

    @Test
    void aWorkerGetsNoneOfThePropertiesItsPoolsEnvironmentSets() {
        List<String> arguments = List.of("--spring.profiles.active=prod", "--spring.main.web-application-type=servlet",
                "--spring.main.banner-mode=console", "--app.hosts[0]=a", "--app.service[1].url=u", "--app.limit=5",
                "--app.limits=6", "report.csv");

        // in each form Boot reads: dashes dropped or (its legacy form) as underscores, indexes, lower case
        Map<String, String> variables = ApplicationCommandLine.variables(arguments, Set.of("SPRING_PROFILES_ACTIVE",
                "SPRING_MAIN_WEBAPPLICATIONTYPE", "SPRING_MAIN_BANNER_MODE", "APP_HOSTS_0", "APP_SERVICE_1_URL", "app_limit"));

        assertThat(ApplicationCommandLine.arguments(variables::get)).containsExactly("--app.limits=6", "report.csv");
    }

    @Test
    void noVariableWhenThereIsNothingToPassOn() {
        assertThat(ApplicationCommandLine.variables(List.of(), Set.of())).isEmpty();
        assertThat(ApplicationCommandLine.variables(List.of("--app.limit=5"), Set.of("APP_LIMIT"))).isEmpty();
        assertThat(ApplicationCommandLine.arguments((name) -> null)).as("an application that passed none").isEmpty();
    }

    @Test
    void aCommandLineTooLongForOneVariableIsNotPassedOn() {
        // Linux refuses to start a process with a variable over 128 KiB, and the worker would fail to start
        String longValue = "x".repeat(64 * 1024);

        assertThat(ApplicationCommandLine.variables(List.of("--a=" + longValue, "--b=" + longValue), Set.of())).isEmpty();
        assertThat(ApplicationCommandLine.variables(List.of("--a=" + longValue), Set.of())).isNotEmpty();
    }

    @Test
    void aVariableThatIsNotTheApplicationsIsRefusedClearly() {
        assertThatIllegalStateException().isThrownBy(() -> ApplicationCommandLine.arguments((name) -> "--app.limit=5"))
            .withMessageContaining("IPCWORKERS_APPLICATION_ARGS");
    }
}
