package io.ipcworkers.autoconfigure;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.ipcworkers.codec.JsonMapperCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Both customizers in one class, as the README shows: listed in {@code META-INF/services} of the test
 * class path for the workers' mapper, declared as a bean where a test wants Boot's mapper the same. It
 * touches {@link Reading} only, so the other tests convert as before.
 */
public class SensorJson implements JsonMapperCustomizer, JsonMapperBuilderCustomizer {

    @Override
    public void customize(JsonMapper.Builder builder) {
        builder.addMixIn(Reading.class, ReadingMixIn.class);
    }

    public record Reading(double value) {
    }

    abstract static class ReadingMixIn {

        ReadingMixIn(@JsonProperty("sensor_value") double value) {
        }

        @JsonProperty("sensor_value")
        abstract double value();
    }
}
