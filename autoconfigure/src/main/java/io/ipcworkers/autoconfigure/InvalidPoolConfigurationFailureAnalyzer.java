package io.ipcworkers.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains an {@link InvalidPoolConfigurationException} in Boot's start-up failure report. */
class InvalidPoolConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPoolConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidPoolConfigurationException cause) {
        String description = "Worker pool '" + cause.getPool() + "' is misconfigured:\n\n    Property: "
                + cause.getProperty() + "\n    Problem:  " + cause.getMessage();
        return new FailureAnalysis(description, cause.getAction(), cause);
    }
}
