package io.ipcworkers.codec;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Writes a {@link Celsius} as a bare number; listed in {@code META-INF/services} of the test class
 * path, as a library's Jackson module would be, so mappers that find modules register it.
 */
public class CelsiusModule extends SimpleModule {

    public CelsiusModule() {
        super("celsius");
        addSerializer(Celsius.class, new ValueSerializer<>() {
            @Override
            public void serialize(Celsius value, JsonGenerator generator, SerializationContext context) {
                generator.writeNumber(value.degrees());
            }
        });
        addDeserializer(Celsius.class, new ValueDeserializer<>() {
            @Override
            public Celsius deserialize(JsonParser parser, DeserializationContext context) {
                return Celsius.of(parser.getDoubleValue());
            }
        });
    }
}
