package io.ipcworkers.codec;

import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.json.JsonMapper;

/**
 * Listed in {@code META-INF/services} of the test class path, as an application's customizer would be:
 * a mix-in that names {@link Reading}'s property {@code reading_value}, on both sides.
 */
public class ReadingCustomizer implements JsonMapperCustomizer {

    @Override
    public void customize(JsonMapper.Builder builder) {
        builder.addMixIn(Reading.class, ReadingMixIn.class);
    }

    abstract static class ReadingMixIn {

        ReadingMixIn(@JsonProperty("reading_value") double value) {
        }

        @JsonProperty("reading_value")
        abstract double value();
    }
}
