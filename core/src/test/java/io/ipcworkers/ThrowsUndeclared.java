package io.ipcworkers;

import java.io.IOException;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.annotation.JsonSerialize;

/** A payload whose serializer throws a checked exception it does not declare ("disk full"), half-way through. */
@JsonSerialize(using = ThrowsUndeclared.Serializer.class)
public class ThrowsUndeclared {

    static class Serializer extends ValueSerializer<ThrowsUndeclared> {

        @Override
        public void serialize(ThrowsUndeclared value, JsonGenerator generator, SerializationContext context) {
            generator.writeStartObject();
            Serializer.<RuntimeException>throwUnchecked(new IOException("disk full"));
        }

        @SuppressWarnings("unchecked")
        private static <T extends Throwable> void throwUnchecked(Throwable ex) throws T {
            throw (T) ex;
        }
    }
}
