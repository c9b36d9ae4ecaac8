package io.ipcworkers.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.TSFBuilder;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactoryBuilder;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.ser.SerializationContextExt;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@link Message messages} into frame bodies and back: {@code uint16 topicLength | topic (UTF-8)
 * | payload (JSON)}. The topic is read eagerly so messages can be routed without touching the
 * payload; the payload stays JSON until a receiver converts it to the type it wants.
 */
public final class MessageCodec {

    /** Longest topic in UTF-8 bytes. */
    public static final int MAX_TOPIC_BYTES = 0xFFFF;

    private static final byte[] NULL_JSON = { 'n', 'u', 'l', 'l' };

    /** What a message that is not a request carries for a deadline: nothing is written. */
    private static final long NO_DEADLINE = Long.MIN_VALUE;

    /** Always false; not a constant, so that javac keeps the branch that makes up {@link MessageBody#writeTo}'s size. */
    private static boolean outOfLine;

    /**
     * Payloads after which a thread's serialization context is made anew: a context looks serializers
     * up in a copy of the mapper's cache made with it, and a type first written after that is looked
     * up in the shared cache, each time, until the context is replaced.
     */
    static final int PAYLOADS_PER_CONTEXT = 1024;

    private final @Nullable JsonMapper mapper;

    /**
     * The mapper's stream factory with buffers pooled per thread: Jackson's default pool is a
     * concurrent deque, whose upkeep cost a third of the encoding time of a small message.
     */
    private final @Nullable TokenStreamFactory generators;

    /** Each thread's body writer, with its generator once it has written a payload that needs one. */
    private final ThreadLocal<@Nullable MessageBody> threadBodies = new ThreadLocal<>();

    private @Nullable WireTopic lastTopic;

    private final RecentTopics recentTopics = new RecentTopics();

    public MessageCodec(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "'mapper' must not be null");
        this.generators = generatorsFor(mapper);
    }

    private MessageCodec() {
        this.mapper = null;
        this.generators = null;
    }

    /**
     * A codec with the {@link DefaultJsonMapper}, built on first use: a worker that has not yet needed
     * JSON (its READY message has none) does not pay for starting Jackson before it is ready.
     */
    public static MessageCodec withDefaultMapper() {
        return new MessageCodec();
    }

    /** Consecutive payloads from one generator are separate documents: no separator between them. */
    private static TokenStreamFactory generatorsFor(JsonMapper mapper) {
        TSFBuilder<?, ?> builder = mapper.tokenStreamFactory().rebuild().recyclerPool(JsonRecyclerPools.threadLocalPool());
        if (builder instanceof JsonFactoryBuilder json) {
            json.rootValueSeparator((String) null);
        }
        return builder.build();
    }

    public JsonMapper mapper() {
        return orDefault(this.mapper);
    }

    private static JsonMapper orDefault(@Nullable JsonMapper mapper) {
        return (mapper != null) ? mapper : DefaultJsonMapper.get();
    }

    private static TokenStreamFactory orDefault(@Nullable TokenStreamFactory generators) {
        return (generators != null) ? generators : Defaults.GENERATORS;
    }

    /** Initialized when first used. */
    private static final class Defaults {

        static final TokenStreamFactory GENERATORS = generatorsFor(DefaultJsonMapper.get());
    }

    /**
     * The frame body for a message. The writer is this thread's own, used again for its next message:
     * write it before this thread encodes another one, as every send does at once.
     */
    public BodyWriter encode(Message message) {
        return body(message, NO_DEADLINE, null);
    }

    /**
     * The frame body for a message with headers ({@link MessageHeaders#encode}), sent with
     * {@link io.ipcworkers.channel.Frame#FLAG_HEADERS} when not null; this thread's writer, as
     * {@link #encode(Message)}'s.
     */
    public BodyWriter encode(Message message, byte @Nullable [] headers) {
        return body(message, NO_DEADLINE, headers);
    }

    /**
     * The frame body for a request: its message, then its caller's deadline ({@link RequestDeadline});
     * this thread's writer, as {@link #encode(Message)}'s.
     */
    public BodyWriter encodeRequest(Message message, long deadlineEpochMillis) {
        return body(message, deadlineEpochMillis, null);
    }

    /** {@link #encodeRequest(Message, long)}, with headers before the deadline (see {@link #encode(Message, byte[])}). */
    public BodyWriter encodeRequest(Message message, long deadlineEpochMillis, byte @Nullable [] headers) {
        return body(message, deadlineEpochMillis, headers);
    }

    /**
     * This thread's body writer, set to the message. One per thread rather than one per message: its
     * 40 bytes were a third of what a {@code ChildProcess} send allocated, and in a JVM's first seconds,
     * while G1 grows its young generation into pages never touched, a sender pays 4–5 ns for every byte
     * it allocates (benchmarks/README.md, item 59: the growth costs as much in all, but comes later). A
     * payload's serializer that sends a message is given a writer of its own, which is refused when
     * written ({@link #sentFromInsideAPayload}).
     */
    private MessageBody body(Message message, long deadline, byte @Nullable [] headers) {
        byte[] wireTopic = wireTopic(message.topic()); // first: a topic too long is refused with nothing changed
        MessageBody body = this.threadBodies.get();
        if (body == null) {
            body = new MessageBody(this.mapper, this.generators, null);
            this.threadBodies.set(body);
        }
        else if (body.isWritingPayload()) {
            body = new MessageBody(this.mapper, this.generators, body.generator);
        }
        body.wireTopic = wireTopic;
        body.message = message;
        body.deadline = deadline;
        body.headers = headers;
        return body;
    }

    /**
     * A message's frame body. One class doing the write, rather than a lambda calling a helper: the
     * JIT compiler then has fewer levels to compile over again on top of Jackson's serializer before
     * a sender's path runs at full speed. Static, and holding nothing of its codec but the mapper and
     * stream factory: kept in a thread's {@code ThreadLocal} map, a writer that held its codec would
     * hold the codec's {@code ThreadLocal}, the map's weak key, and so every codec the thread ever
     * encoded with, for as long as the thread lives.
     */
    private static final class MessageBody implements BodyWriter {

        /** The codec's: null for the default mapper, not looked up before a payload needs it. */
        private final @Nullable JsonMapper mapper;

        private final @Nullable TokenStreamFactory generators;

        private byte[] wireTopic = {};

        /** Set for each message; null once it is written, so that a large payload is not kept for the next. */
        private @Nullable Message message;

        /** A request's deadline, written after the message; {@link #NO_DEADLINE} for other messages. */
        private long deadline;

        /** The message's headers block ({@link MessageHeaders}), written after it; null for none. */
        private byte @Nullable [] headers;

        /** The thread's generator, made for its first payload that needs one; null again after one failed. */
        private @Nullable ThreadGenerator generator;

        MessageBody(@Nullable JsonMapper mapper, @Nullable TokenStreamFactory generators,
                @Nullable ThreadGenerator generator) {
            this.mapper = mapper;
            this.generators = generators;
            this.generator = generator;
        }

        /** Whether this thread is writing a payload with it: a serializer is running, and sends. */
        boolean isWritingPayload() {
            return this.generator != null && this.generator.target.isInUse();
        }

        /**
         * The payload goes through this thread's generator, created once: a generator per message cost
         * as much as serializing a small payload. So is a serialization context, while payloads leave
         * nothing in it (see {@link ThreadGenerator}). A generator that failed part-way is not used
         * again.
         * A serializer that leaves its value unfinished (an object or array not ended) has it ended
         * here, as Jackson's own {@code writeValueAsBytes} ends it when it closes its generator (unless
         * {@code StreamWriteFeature.AUTO_CLOSE_CONTENT} is off: then the payload is refused), rather
         * than sending malformed JSON and failing the thread's next payload. (One that writes no value,
         * or several, is refused by {@link Message#writePayloadJson(OutputStream, JsonMapper, JsonGenerator)}.)
         *
         * <p>A request's deadline follows the payload ({@link RequestDeadline}), after the headers of a
         * message that has them ({@link MessageHeaders}), written here rather than by a wrapper, so that
         * the frame writer's call to this stays monomorphic.
         *
         * <p>One method from the topic to the body's last byte, and a large one on purpose: C2 does
         * not inline a hot method of over 325 bytes of bytecode ({@code FreqInlineSize}), and this one
         * is kept above that, so that it is compiled as a unit of its own. The send path's levels (a
         * pool's delivery, the connection's batching, the frame writer, this) get hot one after another
         * and each is compiled as a root of its own; while this was inlined, each of those compilations
         * carried its own copy of Jackson's serializer (several KB of bytecode), and a sending JVM's one
         * C2 thread spent the first million messages on them. {@code benchmarks/README.md} (item 21) has
         * the figures. What the method does takes some 300 bytes; the branch at its end, never taken,
         * makes up the rest (C2 compiles an untaken branch to a trap, so it costs nothing), and
         * {@code MessageCodecTest.theMessageBodyWriterIsACompilationUnitOfItsOwn} keeps the size.
         */
        @Override
        public void writeTo(OutputStream out) throws IOException {
            Message message = Objects.requireNonNull(this.message, "written already");
            this.message = null;
            out.write(this.wireTopic);
            if (message.hasNullPayload()) {
                out.write(NULL_JSON);
                writeTrailer(out);
                return;
            }
            ThreadGenerator reusable = this.generator;
            if (reusable == null) {
                reusable = new ThreadGenerator(orDefault(this.generators), orDefault(this.mapper));
                this.generator = reusable;
            }
            else if (reusable.target.isInUse()) {
                throw sentFromInsideAPayload(message);
            }
            JsonGenerator generator = reusable.generator;
            reusable.target.to(out);
            boolean written = false;
            try {
                message.writePayloadJson(out, reusable.mapper, generator, reusable.payloadContext);
                TokenStreamContext context = generator.streamWriteContext();
                if (!context.inRoot()) {
                    if (!generator.isEnabled(StreamWriteFeature.AUTO_CLOSE_CONTENT)) {
                        throw new PayloadConversionException("Cannot write the payload of message '"
                                + message.topic() + "' as JSON: its serializer left it unfinished at "
                                + context.pathAsPointer() + " and AUTO_CLOSE_CONTENT is disabled", null);
                    }
                    do {
                        if (context.inObject()) {
                            generator.writeEndObject();
                        }
                        else {
                            generator.writeEndArray();
                        }
                        context = generator.streamWriteContext();
                    }
                    while (!context.inRoot());
                    generator.flush();
                }
                written = true;
            }
            finally {
                reusable.target.to(null);
                if (!written || !reusable.afterPayload()) {
                    this.generator = null;
                }
            }
            writeTrailer(out);
            if (outOfLine) { // never true; see above
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
                out.write(NULL_JSON, 0, 0);
            }
        }

        /** What follows the message: its headers, then a request's deadline. */
        private void writeTrailer(OutputStream out) throws IOException {
            if (this.headers != null) {
                out.write(this.headers);
            }
            if (this.deadline != NO_DEADLINE) {
                RequestDeadline.write(out, this.deadline);
            }
        }
    }

    /**
     * A payload's serializer that sends a message would have the thread's generator write that one in the
     * middle of its own: refused, whatever it is sent to, when it is written. Refusing it when its body is
     * made, before the sender takes its worker's locks (which would also keep two such serializers sending
     * to each other's worker from waiting for each other), measured a likely tenth off the one-way stream
     * (benchmarks/README item 55).
     */
    private static IllegalStateException sentFromInsideAPayload(Message message) {
        return new IllegalStateException("Cannot write the payload of message '" + message.topic()
                + "' while this thread writes the payload of another: a payload's serializer must not send messages");
    }

    /**
     * A generator kept by one thread, writing to whichever stream that thread is encoding into, and
     * the serialization context its payloads are written with, kept while each payload leaves it as
     * it found it ({@link ContextLeftovers}).
     */
    private static final class ThreadGenerator {

        final RetargetableStream target = new RetargetableStream();

        final JsonMapper mapper;

        /** What the generator was made with: Jackson's for a value a serializer writes through the generator. */
        private final SerializationContextExt generatorContext;

        final JsonGenerator generator;

        /** Null when what a context holds cannot be told: each payload is written with one of its own then. */
        @Nullable SerializationContextExt payloadContext;

        private int payloads;

        ThreadGenerator(TokenStreamFactory factory, JsonMapper mapper) {
            this.mapper = mapper;
            this.generatorContext = mapper._serializationContext();
            this.generator = factory.createGenerator(this.generatorContext, this.target);
            this.payloadContext = ContextLeftovers.canTell() ? mapper._serializationContext() : null;
        }

        /**
         * After a payload written whole: a payload context that holds something from it, or has
         * served {@link #PAYLOADS_PER_CONTEXT} payloads, is replaced.
         * @return false when the generator's own context holds something (a serializer wrote a value
         *     with object ids through the generator): then the generator is not used again either
         */
        boolean afterPayload() {
            SerializationContextExt context = this.payloadContext;
            if (context == null) {
                return true;
            }
            if (++this.payloads == PAYLOADS_PER_CONTEXT || !ContextLeftovers.none(context)) {
                this.payloadContext = this.mapper._serializationContext();
                this.payloads = 0;
            }
            return ContextLeftovers.none(this.generatorContext);
        }
    }

    /** Forwards to the stream being encoded into right now. */
    private static final class RetargetableStream extends OutputStream {

        private @Nullable OutputStream target;

        void to(@Nullable OutputStream target) {
            this.target = target;
        }

        /** Whether a payload is being written through it: set from {@link #to} until it is given null. */
        boolean isInUse() {
            return this.target != null;
        }

        @Override
        public void write(int b) throws IOException {
            Objects.requireNonNull(this.target).write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.requireNonNull(this.target).write(bytes, offset, length);
        }
    }

    /** The frame body for a message whose payload is JSON text already; Jackson is not involved. */
    public BodyWriter encodeJson(String topic, byte[] json) {
        return new JsonBody(wireTopic(topic), json);
    }

    /** A class, not a lambda: a pool worker's READY frame is one, on its way to ready. */
    private static final class JsonBody implements BodyWriter {

        private final byte[] wireTopic;

        private final byte[] json;

        JsonBody(byte[] wireTopic, byte[] json) {
            this.wireTopic = wireTopic;
            this.json = json;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(this.wireTopic);
            out.write(this.json);
        }
    }

    /** A JSON array of strings, written without Jackson. */
    public static String jsonStringArray(Collection<String> values) {
        StringBuilder json = new StringBuilder("[");
        for (String value : values) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                }
                else if (c < 0x20) {
                    json.append(String.format("\\u%04x", (int) c));
                }
                else {
                    json.append(c);
                }
            }
            json.append('"');
        }
        return json.append(']').toString();
    }

    /**
     * The topic as it goes on the wire: its length in two bytes, then its UTF-8 bytes. The last one
     * is kept, since a stream of messages usually shares its topic: encoding it is then a comparison.
     */
    private byte[] wireTopic(String topic) {
        WireTopic last = this.lastTopic;
        if (last != null && last.topic.equals(topic)) {
            return last.bytes;
        }
        WireTopic encoded = new WireTopic(topic);
        this.lastTopic = encoded; // racy, and safe: a WireTopic is immutable
        return encoded.bytes;
    }

    private static final class WireTopic {

        final String topic;

        final byte[] bytes;

        WireTopic(String topic) {
            byte[] utf8 = topic.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > MAX_TOPIC_BYTES) {
                throw new IllegalArgumentException("Topic of " + utf8.length
                        + " bytes is longer than the maximum of " + MAX_TOPIC_BYTES + " bytes");
            }
            this.topic = topic;
            this.bytes = new byte[2 + utf8.length];
            this.bytes[0] = (byte) (utf8.length >>> 8);
            this.bytes[1] = (byte) utf8.length;
            System.arraycopy(utf8, 0, this.bytes, 2, utf8.length);
        }
    }

    /** The frame body of an error answer to a request. */
    public BodyWriter encodeError(String topic, String exceptionType, String description) {
        return encode(Message.of(topic, Map.of("exception", exceptionType, "message", description)));
    }

    /**
     * Reads a message from a frame body, which it then owns.
     * @throws IpcProtocolException when the body is not a well-formed message
     */
    public Message decode(byte[] body) {
        return decode(body, body.length);
    }

    /**
     * Reads a message from the first {@code length} bytes of a frame body, which it then owns (what
     * follows is not part of the message: a request's deadline, say).
     * @throws IpcProtocolException when they are not a well-formed message
     */
    public Message decode(byte[] body, int length) {
        return decode(topic(body, length), body, length);
    }

    /**
     * {@link #decode(byte[], int)} for bytes whose topic {@link #topic(byte[], int)} has read and checked
     * already: it is not looked up again.
     */
    public Message decode(String topic, byte[] body, int length) {
        int payloadOffset = 2 + topicLength(body);
        return Message.ofJson(topic, body, payloadOffset, length - payloadOffset, mapper());
    }

    /**
     * The topic of the message in the first {@code length} bytes of a frame body, checked as
     * {@link #decode(byte[], int)} checks it; the bytes are only read.
     * @throws IpcProtocolException when they are not a well-formed message
     */
    public String topic(byte[] body, int length) {
        if (length < 2) {
            throw new IpcProtocolException("malformed message: a body of " + length
                    + " bytes cannot hold the 2-byte topic length");
        }
        int topicLength = topicLength(body);
        if (topicLength > length - 2) {
            throw new IpcProtocolException("malformed message: topic length " + topicLength + " exceeds the "
                    + (length - 2) + " bytes that follow");
        }
        return decodeTopic(body, topicLength);
    }

    private static int topicLength(byte[] body) {
        return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
    }

    private String decodeTopic(byte[] body, int length) {
        String recent = this.recentTopics.find(body, 2, length);
        if (recent != null) {
            return recent;
        }
        String topic = decodeNewTopic(body, length);
        this.recentTopics.remember(body, 2, length, topic);
        return topic;
    }

    private static String decodeNewTopic(byte[] body, int length) {
        if (isAscii(body, 2, length)) {
            return new String(body, 2, length, StandardCharsets.ISO_8859_1); // no decoder needed, the usual case
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(body, 2, length))
                .toString();
        }
        catch (CharacterCodingException ex) {
            throw new IpcProtocolException("malformed message: the topic is not valid UTF-8", ex);
        }
    }

    private static boolean isAscii(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
