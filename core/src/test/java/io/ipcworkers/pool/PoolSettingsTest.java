package io.ipcworkers.pool;

import java.util.List;
import java.util.Map;

import io.ipcworkers.launch.LaunchOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PoolSettingsTest {

    private static final Map<String, String> ENVIRONMENT = Map.of("DB_PASSWORD", "s3cret!", "REGION", "eu-west-1");

    @Test
    void theEnvironmentsValuesNeverAppearInTheSettingsText() {
        PoolSettings settings = PoolSettings.of("reports", 2, "com.example.ReportWorker")
            .withEnvironment(ENVIRONMENT);
        assertThat(settings.environment()).isEqualTo(ENVIRONMENT);

        assertThat(settings.toString()).startsWith("PoolSettings[name=reports, workers=2, workerClass=com.example.ReportWorker")
            .contains("environment=[DB_PASSWORD, REGION] (values hidden)", "maxInFlight=256", "delivery=")
            .doesNotContain("s3cret!", "eu-west-1");
        assertThat(new LaunchOptions("reports-1", List.of("-Xmx64m"), ENVIRONMENT, true))
            .hasToString("LaunchOptions[name=reports-1, jvmArgs=[-Xmx64m], environment=[DB_PASSWORD, REGION] (values hidden), "
                    + "stopLeftoversAfterCleanExit=true]");
    }
}
