package io.ipcworkers;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

import io.ipcworkers.codec.DefaultJsonMapper;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.ser.SerializationContextExt;
import org.jspecify.annotations.Nullable;

/**
 * A topic message: a string topic (what the message is about; routing) and a payload (the data).
 *
 * <p>Created with {@link #of(String, Object)} (or a {@link MessageFactory}), a payload is anything
 * Jackson can write as JSON. A received message keeps its payload as JSON and converts it only when
 * asked, to the type the receiver chooses: {@link #payload()} gives plain maps, lists, strings,
 * numbers, booleans or {@code null}; {@link #payloadAs(Class)} gives a typed value (records
 * included). No type information is ever read from the wire.
 *
 * <pre>{@code
 * child.sendMessage(Message.of("resize", new ResizeJob(path, 128)));
 * Message reply = child.getNextMessage();
 * Thumbnail thumb = reply.payloadAs(Thumbnail.class);
 * }</pre>
 *
 * Messages are immutable and safe to share between threads.
 */
public final class Message {

    private final String topic;

    private final @Nullable Object value;

    private final byte @Nullable [] json;

    private final int jsonOffset;

    private final int jsonLength;

    /** For {@link #of}, null: the {@link DefaultJsonMapper}, started only once a payload is converted. */
    private final @Nullable JsonMapper mapper;

    private volatile @Nullable Object decoded;

    private Message(String topic, @Nullable Object value, byte @Nullable [] json, int offset, int length,
            @Nullable JsonMapper mapper) {
        this.topic = Objects.requireNonNull(topic, "'topic' must not be null");
        this.value = value;
        this.json = json;
        this.jsonOffset = offset;
        this.jsonLength = length;
        this.mapper = mapper;
    }

    /**
     * A message with the given topic and payload. A payload that is itself a {@code Message} stands
     * for that message's payload: one received is passed on as the JSON it came as, neither decoded
     * nor written again (so a message may be forwarded under another topic, or to another pool).
     * @param topic what the message is about; not null
     * @param payload anything Jackson can write as JSON, a {@code Message}, or null
     */
    public static Message of(String topic, @Nullable Object payload) {
        if (payload instanceof Message message) {
            return new Message(topic, message.value, message.json, message.jsonOffset, message.jsonLength,
                    message.mapper);
        }
        return new Message(topic, payload, null, 0, 0, null);
    }

    /**
     * A message whose payload is already JSON text, decoded lazily with the given mapper. This is
     * how received messages are built; the bytes are used as they are, not copied.
     */
    public static Message ofJson(String topic, byte[] json, int offset, int length, JsonMapper mapper) {
        Objects.checkFromIndexSize(offset, length, json.length);
        return new Message(topic, null, json, offset, length, mapper);
    }

    private JsonMapper mapper() {
        return (this.mapper != null) ? this.mapper : DefaultJsonMapper.get();
    }

    /** Whether the payload is a Java {@code null} not yet encoded; codecs write it without Jackson. */
    public boolean hasNullPayload() {
        return this.json == null && this.value == null;
    }

    /** The topic; never null. */
    public String topic() {
        return this.topic;
    }

    /**
     * The payload as plain Java values: for a received message maps, lists, strings, numbers, booleans
     * or null; for a message created here, the object it was created with.
     * @throws PayloadConversionException when a received payload is not valid JSON
     */
    public @Nullable Object payload() {
        if (this.json == null) {
            return this.value;
        }
        Object result = this.decoded;
        if (result == null) {
            result = convert(mapper().constructType(Object.class));
            this.decoded = result;
        }
        return result;
    }

    /**
     * The payload converted to the given type.
     * @throws PayloadConversionException when it cannot be converted; the message says why
     */
    @SuppressWarnings("unchecked")
    public <T> @Nullable T payloadAs(Class<T> type) {
        if (this.json == null && (this.value == null || type.isInstance(this.value))) {
            return (T) this.value;
        }
        return (T) convert(mapper().constructType(type));
    }

    /** The payload converted to a generic type, such as {@code new TypeReference<List<Item>>() {}}. */
    @SuppressWarnings("unchecked")
    public <T> @Nullable T payloadAs(TypeReference<T> type) {
        return (T) convert(mapper().constructType(type));
    }

    /** The payload converted to a Jackson type; used where the target type is only known at run time. */
    public @Nullable Object payloadAs(JavaType type) {
        return convert(type);
    }

    private @Nullable Object convert(JavaType type) {
        if (this.json == null && (this.value == null || type.getRawClass().isInstance(this.value))
                && !type.isContainerType()) {
            return this.value; // a local message already holds the requested type
        }
        try {
            if (this.json != null) {
                if (this.jsonLength == 0) {
                    return null;
                }
                return mapper().readValue(this.json, this.jsonOffset, this.jsonLength, type);
            }
            return mapper().convertValue(this.value, type);
        }
        catch (RuntimeException ex) { // not a JacksonException handler: see writeValue
            if (!(ex instanceof JacksonException) && !(ex instanceof IllegalArgumentException)) {
                throw ex;
            }
            throw new PayloadConversionException("Cannot convert the payload of message '" + this.topic + "' to "
                    + type.toCanonical() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Writes the payload as JSON. A received payload is copied as it is, without being decoded.
     * @throws PayloadConversionException when the payload cannot be written as JSON, or its serializer
     *     wrote no value or several
     */
    public void writePayloadJson(OutputStream out, JsonMapper mapper) throws IOException {
        if (this.json != null) {
            out.write(this.json, this.jsonOffset, this.jsonLength);
            return;
        }
        try (JsonGenerator generator = mapper.createGenerator(out)) {
            writeValue(generator, mapper, null);
        }
    }

    /**
     * Writes the payload as JSON: a received payload as it is to {@code out}, any other value with
     * the given generator, which must write to {@code out} and is flushed afterwards. For codecs
     * that keep a generator per thread: a value's serializer must write exactly one JSON value, since
     * such a generator puts no separator between root values ({@code 1} and {@code 2} would be read
     * as {@code 12}).
     * @throws PayloadConversionException when the payload cannot be written as JSON, or its
     *     serializer wrote no value or several; the generator may then hold part of it and should be
     *     discarded
     */
    public void writePayloadJson(OutputStream out, JsonMapper mapper, JsonGenerator generator) throws IOException {
        writePayloadJson(out, mapper, generator, null);
    }

    /**
     * {@link #writePayloadJson(OutputStream, JsonMapper, JsonGenerator)} with a serialization context
     * the caller keeps for many payloads, as Jackson's {@code SequenceWriter} keeps one for its values,
     * rather than one made for this payload (that was half of what sending a small payload allocated).
     * The caller sees to it that what one payload leaves in the context (object ids handed out,
     * attributes set for the call) does not reach the next.
     * @param context a context the mapper made, or null for one made for this payload
     */
    public void writePayloadJson(OutputStream out, JsonMapper mapper, JsonGenerator generator,
            @Nullable SerializationContextExt context) throws IOException {
        if (this.json != null) {
            out.write(this.json, this.jsonOffset, this.jsonLength);
            return;
        }
        writeValue(generator, mapper, context);
        generator.flush();
    }

    /*
     * Jackson's exceptions are caught as RuntimeException: a handler for JacksonException would load that
     * class when this one is verified, which in a new worker opens every jar on the class path up to
     * Jackson's before the worker's first message, payload or not. The failure messages are built
     * elsewhere to keep this compact: it is compiled into every sender's path, by C1 and then by C2.
     */
    private void writeValue(JsonGenerator generator, JsonMapper mapper, @Nullable SerializationContextExt context) {
        // counts the values begun at the generator's level: the same object afterwards, while nested ones come and go
        TokenStreamContext level = generator.streamWriteContext();
        int valuesBefore = level.getEntryCount();
        try {
            if (!(this.value instanceof String text && PlainJsonText.write(text, generator, mapper))) {
                serialize(this.value, generator, mapper, context);
            }
        }
        catch (RuntimeException ex) {
            if (!(ex instanceof JacksonException jackson)) {
                throw ex;
            }
            throw cannotWrite(jackson.getOriginalMessage(), ex);
        }
        int values = level.getEntryCount() - valuesBefore; // right across int overflow too
        if (values != 1) {
            throw cannotWrite("its serializer wrote " + values + " JSON values, not one", null);
        }
    }

    /**
     * With the given context, if any; a value the mapper closes once written goes through the mapper,
     * as does every value on a Jackson without the entry point the context is used through.
     * A checked exception that a serializer throws without declaring it is a failure of the payload
     * like any of Jackson's, not of the stream the payload was written to.
     */
    private static void serialize(@Nullable Object value, JsonGenerator generator, JsonMapper mapper,
            @Nullable SerializationContextExt context) {
        try {
            MethodHandle serializeValue = (context != null) ? JacksonEntry.serializeValue : null;
            if (serializeValue != null && !(value instanceof AutoCloseable
                    && mapper.serializationConfig().isEnabled(SerializationFeature.CLOSE_CLOSEABLE))) {
                serializeValue.invokeExact(context, generator, value);
            }
            else {
                mapper.writeValue(generator, value);
            }
        }
        catch (RuntimeException | Error ex) {
            throw ex;
        }
        catch (Throwable ex) {
            throw JacksonEntry.undeclaredFailure(generator, ex);
        }
    }

    /**
     * Jackson's {@code serializeValue} as a method handle, so that a sender's compiled code ends where
     * Jackson's begins: C2 inlines a handle only when it is a constant, which is why the field is not
     * final. Inlined, Jackson's serializers for a payload (some 3 KB of bytecode) were compiled twice in
     * a sending JVM, within the message body writer and as a root of their own, by the one C2 thread of
     * a small machine while the first messages of a stream went out ({@code benchmarks/README.md}, item
     * 56). A class of its own, so that the handle is looked up for the first payload written, not on a
     * worker's way to ready, and so that verifying {@code Message} loads none of Jackson's exceptions
     * (which opened every jar up to Jackson's before a new worker's first message: 35 ms of its start).
     */
    private static final class JacksonEntry {

        /** Null on a Jackson without it: then each payload is written by {@code JsonMapper.writeValue}. */
        @SuppressWarnings("FieldMayBeFinal") // a final handle is a constant, and inlined
        private static @Nullable MethodHandle serializeValue = serializeValueHandle();

        private static @Nullable MethodHandle serializeValueHandle() {
            try {
                return MethodHandles.publicLookup().findVirtual(SerializationContextExt.class, "serializeValue",
                        MethodType.methodType(void.class, JsonGenerator.class, Object.class));
            }
            catch (ReflectiveOperationException ex) {
                System.getLogger(Message.class.getName()).log(System.Logger.Level.DEBUG, "Jackson's "
                        + "SerializationContextExt.serializeValue not found: payloads are written through the mapper", ex);
                return null;
            }
        }

        /** A checked exception a serializer threw without declaring it, reported as Jackson reports a serializer's failure. */
        static RuntimeException undeclaredFailure(JsonGenerator generator, Throwable ex) {
            return DatabindException.from(generator, "its serializer threw " + ex, ex);
        }
    }

    private PayloadConversionException cannotWrite(String reason, @Nullable Exception cause) {
        String type = (this.value != null) ? this.value.getClass().getName() : "null";
        return new PayloadConversionException("Cannot write the payload of message '" + this.topic + "' (" + type
                + ") as JSON: " + reason, cause);
    }

    @Override
    public String toString() {
        Object shown = (this.json != null)
                ? new String(this.json, this.jsonOffset, Math.min(this.jsonLength, 200), java.nio.charset.StandardCharsets.UTF_8)
                : this.value;
        return "Message[topic=" + this.topic + ", payload=" + shown + "]";
    }
}
