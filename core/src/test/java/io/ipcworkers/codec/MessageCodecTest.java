package io.ipcworkers.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.annotation.JsonIdentityInfo;
import com.fasterxml.jackson.annotation.ObjectIdGenerators;
import io.ipcworkers.IpcProtocolException;
import io.ipcworkers.Message;
import io.ipcworkers.PayloadConversionException;
import io.ipcworkers.ThrowsUndeclared;
import io.ipcworkers.channel.FrameWriter.BodyWriter;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

class MessageCodecTest {

    private final MessageCodec codec = MessageCodec.withDefaultMapper();

    @Test
    void asciiAndNonAsciiTopicsRoundTrip() throws IOException {
        for (String topic : List.of("ping", "grüße/温度", "")) {
            Message decoded = this.codec.decode(bytes(this.codec.encode(Message.of(topic, Map.of("n", 1)))));
            assertThat(decoded.topic()).isEqualTo(topic);
            assertThat(decoded.payload()).isEqualTo(Map.of("n", 1));
        }
    }

    @Test
    void aTopicDecodedLatelyIsNotDecodedAgainAndTopicsThatShareASlotOrAreLongKeepTheirOwn() throws IOException {
        String first = this.codec.decode(bytes(this.codec.encode(Message.of("t", 1)))).topic();
        String again = this.codec.decode(bytes(this.codec.encode(Message.of("t", 2)))).topic();
        assertThat(again).as("no String per message for a topic seen lately").isSameAs(first);
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            topics.add("topic-" + i); // more topics than slots: they take each other's
        }
        topics.add("x".repeat(RecentTopics.MAX_LENGTH));
        topics.add("x".repeat(RecentTopics.MAX_LENGTH + 1));
        topics.add("grüße");
        for (int round = 0; round < 2; round++) {
            for (String topic : topics) {
                assertThat(this.codec.decode(bytes(this.codec.encode(Message.of(topic, null)))).topic())
                    .isEqualTo(topic);
            }
        }
    }

    @Test
    void nullPayloadIsWrittenWithoutJacksonAndReadsAsNull() throws IOException {
        Message decoded = this.codec.decode(bytes(this.codec.encode(Message.of("ready", null))));
        assertThat(decoded.payload()).isNull();
    }

    @Test
    void repeatedAndAlternatingTopicsFromManyThreadsEachKeepTheirOwn() throws Exception {
        List<String> topics = List.of("a", "b", "grüße", new String("a".toCharArray()), "a-longer-topic");
        List<Callable<Void>> senders = new ArrayList<>();
        for (int thread = 0; thread < 4; thread++) {
            int first = thread;
            senders.add(() -> {
                for (int i = 0; i < 20_000; i++) {
                    String topic = topics.get((first + i / (1 + first)) % topics.size());
                    assertThat(this.codec.decode(bytes(this.codec.encode(Message.of(topic, null)))).topic())
                        .isEqualTo(topic);
                }
                return null;
            });
        }
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (Future<Void> sender : threads.invokeAll(senders)) {
                sender.get();
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aTopicOverTheMaximumIsRefusedAndTheNextMessageIsEncodedAsUsual() throws IOException {
        this.codec.encode(Message.of("ok", null));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> this.codec.encode(Message.of("x".repeat(MessageCodec.MAX_TOPIC_BYTES + 1), null)))
            .withMessage("Topic of 65536 bytes is longer than the maximum of 65535 bytes");
        assertThat(this.codec.decode(bytes(this.codec.encode(Message.of("ok", 1)))).topic()).isEqualTo("ok");
        String longest = "y".repeat(MessageCodec.MAX_TOPIC_BYTES);
        assertThat(this.codec.decode(bytes(this.codec.encode(Message.of(longest, 1)))).topic()).isEqualTo(longest);
    }

    @Test
    void aTopicThatIsNotUtf8IsAProtocolError() {
        byte[] body = { 0, 2, (byte) 0xC3, (byte) 0x28, 'n', 'u', 'l', 'l' };
        assertThatExceptionOfType(IpcProtocolException.class).isThrownBy(() -> this.codec.decode(body))
            .withMessageContaining("not valid UTF-8");
    }

    @Test
    void handWrittenStringArraysAreJsonThatJacksonReadsBack() {
        List<String> values = List.of("plain", "quote\"d", "back\\slash", "new\nline", "tab\t", "ü", "\u0001");
        String json = MessageCodec.jsonStringArray(values);
        assertThat(JsonMapper.builder().build().readValue(json, List.class)).isEqualTo(values);
    }

    @Test
    void encodeJsonWritesThePayloadAsItIs() throws IOException {
        Message decoded = this.codec.decode(bytes(this.codec.encodeJson("ready", "{\"topics\":[\"a\"]}".getBytes())));
        assertThat(decoded.topic()).isEqualTo("ready");
        assertThat(decoded.payload()).isEqualTo(Map.of("topics", List.of("a")));
    }

    @Test
    void consecutivePayloadsFromOneThreadAreSeparateDocumentsWithNothingBetween() throws IOException {
        for (int i = 0; i < 3; i++) {
            byte[] body = bytes(this.codec.encode(Message.of("t", Map.of("n", i))));
            assertThat(new String(body, 3, body.length - 3, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":" + i + "}");
        }
    }

    @Test
    void aPayloadThatFailsHalfWayLeavesTheNextOneIntact() throws IOException {
        assertThatExceptionOfType(io.ipcworkers.PayloadConversionException.class)
            .isThrownBy(() -> bytes(this.codec.encode(Message.of("t", List.of(1, new Broken())))));
        byte[] body = bytes(this.codec.encode(Message.of("t", List.of(2))));
        assertThat(new String(body, 3, body.length - 3, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("[2]");
    }

    @Test
    void theDefaultMapperHasTheJacksonModulesOnTheClassPathAsSpringBootsDoes() throws IOException {
        byte[] body = bytes(this.codec.encode(Message.of("t", Celsius.of(21.5))));
        assertThat(new String(body, 3, body.length - 3, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("21.5");
        assertThat(this.codec.decode(body).payloadAs(Celsius.class)).isEqualTo(Celsius.of(21.5));
        // a message made here, not yet encoded, converts through the same mapper
        assertThat(Message.of("t", Map.of("c", 3)).payloadAs(Map.class)).isEqualTo(Map.of("c", 3));
        assertThat(Message.of("t", 7.5).payloadAs(Celsius.class)).isEqualTo(Celsius.of(7.5));
    }

    @Test
    void theDefaultMapperIsCustomizedByTheCustomizersOnTheClassPath() throws IOException {
        byte[] body = bytes(this.codec.encode(Message.of("t", new Reading(1.5))));
        assertThat(payloadText(body)).isEqualTo("{\"reading_value\":1.5}");
        assertThat(this.codec.decode(body).payloadAs(Reading.class)).isEqualTo(new Reading(1.5));
    }

    @Test
    void aPayloadWhoseSerializerLeavesItUnfinishedIsEndedAsJacksonEndsIt() throws IOException {
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(unfinishing()).build());
        for (int n = 1; n <= 2; n++) { // and the thread's generator goes on at the root
            byte[] body = bytes(codec.encode(Message.of("t", new Unfinished(n))));
            assertThat(payloadText(body)).isEqualTo("{\"n\":" + n + ",\"list\":[]}")
                .isEqualTo(codec.mapper().writeValueAsString(new Unfinished(n)));
        }
    }

    @Test
    void aPayloadWhoseSerializerLeavesItUnfinishedIsRefusedWhenJacksonWouldNotEndIt() throws IOException {
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(unfinishing())
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT).build());
        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> bytes(codec.encode(Message.of("t", new Unfinished(1)))))
            .withMessage("Cannot write the payload of message 't' as JSON: its serializer left it unfinished at /list "
                    + "and AUTO_CLOSE_CONTENT is disabled");
        assertThat(payloadText(bytes(codec.encode(Message.of("t", List.of(2)))))).isEqualTo("[2]");
    }

    @Test
    void aPayloadWhoseSerializerWritesSeveralValuesOrNoneIsRefused() throws IOException {
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(new SimpleModule()
            .addSerializer(Values.class, new ValueSerializer<Values>() {
                @Override
                public void serialize(Values value, JsonGenerator generator, SerializationContext context) {
                    for (int i = 1; i <= value.count(); i++) {
                        generator.writeNumber(i);
                    }
                }
            })).build());
        for (int count : new int[] { 2, 0 }) { // without a separator, 1 and 2 would arrive as 12
            assertThatExceptionOfType(PayloadConversionException.class)
                .isThrownBy(() -> bytes(codec.encode(Message.of("t", new Values(count)))))
                .withMessage("Cannot write the payload of message 't' (" + Values.class.getName()
                        + ") as JSON: its serializer wrote " + count + " JSON values, not one");
        }
        assertThat(codec.decode(bytes(codec.encode(Message.of("t", new Values(1))))).payload()).isEqualTo(1);
        assertThat(codec.decode(bytes(codec.encode(Message.of("t", new Values(1))))).payload()).isEqualTo(1);
    }

    record Values(int count) {
    }

    @Test
    void aThreadWritesItsPayloadsWithOneSerializationContextUntilOneLeavesSomethingInIt() throws IOException {
        List<SerializationContext> contexts = new ArrayList<>();
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(new SimpleModule()
            .addSerializer(Probe.class, new ValueSerializer<Probe>() {
                @Override
                public void serialize(Probe value, JsonGenerator generator, SerializationContext context) {
                    contexts.add(context);
                    if (value.setsAttribute()) {
                        context.setAttribute("probe", "set");
                    }
                    generator.writeNumber(contexts.size());
                }
            })).build());
        bytes(codec.encode(Message.of("t", new Probe(false))));
        bytes(codec.encode(Message.of("t", new Probe(false))));
        assertThat(contexts.get(1)).as("a context per thread, not per payload").isSameAs(contexts.get(0));
        bytes(codec.encode(Message.of("t", new Identified("a")))); // hands out an object id
        bytes(codec.encode(Message.of("t", new Probe(true)))); // sets an attribute for the call
        assertThat(contexts.get(2)).isNotSameAs(contexts.get(1));
        bytes(codec.encode(Message.of("t", new Probe(false))));
        assertThat(contexts.get(3)).isNotSameAs(contexts.get(2));
        for (int i = 0; i < MessageCodec.PAYLOADS_PER_CONTEXT; i++) {
            bytes(codec.encode(Message.of("t", new Probe(false))));
        }
        assertThat(contexts.subList(3, contexts.size() - 1)).allSatisfy(context -> assertThat(context).isSameAs(contexts.get(3)));
        assertThat(contexts.get(contexts.size() - 1)).as("made anew now and then").isNotSameAs(contexts.get(3));
    }

    record Probe(boolean setsAttribute) {
    }

    @Test
    void anObjectWithAnIdentityIsWrittenWholeInEveryMessage() throws IOException {
        Identified shared = new Identified("a");
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(new SimpleModule()
            .addSerializer(Holder.class, new ValueSerializer<Holder>() {
                @Override
                public void serialize(Holder value, JsonGenerator generator, SerializationContext context) {
                    generator.writePOJO(value.held()); // with the generator's own context
                }
            })).build());
        for (Object payload : List.of(shared, shared, new Holder(shared), new Holder(shared), shared)) {
            // not a bare id after the first, as one context for all would write it
            assertThat(payloadText(bytes(codec.encode(Message.of("t", payload))))).isEqualTo("{\"@id\":1,\"name\":\"a\"}");
        }
    }

    record Holder(Object held) {
    }

    @JsonIdentityInfo(generator = ObjectIdGenerators.IntSequenceGenerator.class)
    record Identified(String name) {
    }

    @Test
    void anAttributeASerializerSetsForOnePayloadIsGoneForTheNext() throws IOException {
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(new SimpleModule()
            .addSerializer(Probe.class, new ValueSerializer<Probe>() {
                @Override
                public void serialize(Probe value, JsonGenerator generator, SerializationContext context) {
                    generator.writeString(String.valueOf(context.getAttribute("probe")));
                    context.setAttribute("probe", "set");
                }
            })).build());
        for (int i = 0; i < 2; i++) {
            assertThat(payloadText(bytes(codec.encode(Message.of("t", new Probe(true)))))).isEqualTo("\"null\"");
        }
    }

    @Test
    void aThreadEncodesEachMessageWithTheSameWriterAndOtherThreadsWithTheirOwn() throws Exception {
        BodyWriter first = this.codec.encode(Message.of("t", 1));
        assertThat(payloadText(bytes(first))).isEqualTo("1");
        BodyWriter next = this.codec.encodeRequest(Message.of("t", List.of(2)), 42L);
        assertThat(next).as("no writer allocated per message").isSameAs(first);
        assertThat(RequestDeadline.read(bytes(next))).isEqualTo(42L);

        BodyWriter mine = this.codec.encode(Message.of("mine", Map.of("n", 3)));
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            byte[] theirs = other.submit(() -> bytes(this.codec.encode(Message.of("theirs", 4)))).get();
            assertThat(this.codec.decode(theirs).topic()).isEqualTo("theirs");
        }
        finally {
            other.shutdownNow();
        }
        Message written = this.codec.decode(bytes(mine));
        assertThat(written.topic()).as("another thread's message in between").isEqualTo("mine");
        assertThat(written.payload()).isEqualTo(Map.of("n", 3));
    }

    @Test
    void aWriterKeepsNoPayloadOnceWritten() throws IOException {
        byte[] large = new byte[1 << 20];
        WeakReference<byte[]> payload = new WeakReference<>(large);
        BodyWriter body = this.codec.encode(Message.of("big", large));
        large = null;
        assertThat(bytes(body)).hasSizeGreaterThan(1 << 20);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            System.gc();
            assertThat(payload.get()).as("the thread's writer holds on to a payload sent already").isNull();
        });
        assertThatExceptionOfType(NullPointerException.class).isThrownBy(() -> bytes(body))
            .withMessage("written already");
    }

    @Test
    void aCodecNoLongerUsedIsNotKeptByTheThreadsThatEncodedWithIt() throws IOException {
        List<WeakReference<MessageCodec>> dropped = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MessageCodec codec = new MessageCodec(JsonMapper.builder().build());
            bytes(codec.encode(Message.of("t", Map.of("n", i)))); // this thread's writer and generator for it
            bytes(codec.encode(Message.of("t", null)));
            dropped.add(new WeakReference<>(codec));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            System.gc();
            assertThat(dropped).as("codecs held through the thread-local writers of a thread that lives on")
                .allSatisfy((codec) -> assertThat(codec.get()).isNull());
        });
    }

    @Test
    void aPayloadWhoseSerializerSendsAMessageHasThatMessageRefusedAndTheThreadsNextPayloadIsWrittenWhole() throws IOException {
        List<String> refusals = new ArrayList<>();
        AtomicReference<MessageCodec> self = new AtomicReference<>();
        MessageCodec codec = new MessageCodec(JsonMapper.builder().addModule(new SimpleModule()
            .addSerializer(Sender.class, new ValueSerializer<Sender>() {
                @Override
                public void serialize(Sender value, JsonGenerator generator, SerializationContext context) {
                    generator.writeStartObject();
                    try {
                        bytes(self.get().encode(Message.of("inner", List.of(1, 2)))); // to another worker, say
                    }
                    catch (IllegalStateException ex) {
                        refusals.add(ex.getMessage());
                        if (value.letsTheRefusalOut()) {
                            throw ex;
                        }
                    }
                    catch (IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                    generator.writeEndObject();
                }
            })).build());
        self.set(codec);

        assertThat(payloadText(bytes(codec.encode(Message.of("t", new Sender(false)))))).isEqualTo("{}");
        assertThatIllegalStateException().as("a serializer's own exception, as Jackson lets it out")
            .isThrownBy(() -> bytes(codec.encode(Message.of("t", new Sender(true)))))
            .withMessageEndingWith("a payload's serializer must not send messages");
        assertThat(refusals).hasSize(2).containsOnly("Cannot write the payload of message 'inner' while this thread "
                + "writes the payload of another: a payload's serializer must not send messages");
        assertThat(payloadText(bytes(codec.encode(Message.of("t", List.of(3)))))).isEqualTo("[3]");
        assertThat(payloadText(bytes(codec.encode(Message.of("t", new Sender(false)))))).isEqualTo("{}");
    }

    record Sender(boolean letsTheRefusalOut) {
    }

    @Test
    void payloadsAreWrittenAsTheMapperWritesThem() throws IOException {
        MessageCodec codec = new MessageCodec(JsonMapper.builder().enable(SerializationFeature.WRAP_ROOT_VALUE)
            .enable(SerializationFeature.CLOSE_CLOSEABLE).build());
        for (int i = 0; i < 2; i++) { // the second with the thread's context
            assertThat(payloadText(bytes(codec.encode(Message.of("t", new Reading(1.5))))))
                .isEqualTo(codec.mapper().writeValueAsString(new Reading(1.5)));
        }
        Resource resource = new Resource();
        assertThat(payloadText(bytes(codec.encode(Message.of("t", resource))))).isEqualTo("{\"Resource\":{\"open\":true}}");
        assertThat(resource.isOpen()).as("closed once written, as the mapper closes it").isFalse();
    }

    public static class Resource implements java.io.Closeable {

        private boolean open = true;

        public boolean isOpen() {
            return this.open;
        }

        @Override
        public void close() {
            this.open = false;
        }
    }

    @Test
    void theJacksonOnTheClassPathLetsTheCodecTellWhatAContextHolds() {
        // otherwise every payload would make a context of its own again: see ContextLeftovers
        assertThat(ContextLeftovers.canTell()).isTrue();
    }

    @Test
    void aReceivedMessageGivenAsPayloadGoesOutAsTheJsonItCameAs() throws IOException {
        byte[] json = "{ \"b\" : 1,  \"a\":[2 ] }".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Message received = Message.ofJson("in", json, 0, json.length, this.codec.mapper());
        byte[] body = bytes(this.codec.encode(Message.of("out", received)));
        assertThat(this.codec.decode(body).topic()).isEqualTo("out");
        assertThat(new String(body, 5, body.length - 5, java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo("{ \"b\" : 1,  \"a\":[2 ] }"); // not decoded and written again
    }

    @Test
    void theMessageBodyWriterIsACompilationUnitOfItsOwn() throws ClassNotFoundException {
        // over C2's FreqInlineSize (325 bytes of bytecode): see MessageBody.writeTo
        assertThat(Bytecode.lengthOf(Class.forName(MessageCodec.class.getName() + "$MessageBody"), "writeTo(java.io.OutputStream)"))
            .isGreaterThan(325);
    }

    @Test
    void jacksonIsCalledThroughAHandleTheCompilerDoesNotInline() throws ReflectiveOperationException {
        // a final handle is a constant, which C2 inlines: see Message.JacksonEntry
        Field handle = Class.forName(Message.class.getName() + "$JacksonEntry").getDeclaredField("serializeValue");
        assertThat(handle.getType()).isEqualTo(MethodHandle.class);
        assertThat(Modifier.isFinal(handle.getModifiers())).isFalse();
    }

    @Test
    void onAJacksonWithoutTheEntryPointTheCodecUsesPayloadsGoThroughTheMapper() throws Exception {
        Field handle = Class.forName(Message.class.getName() + "$JacksonEntry").getDeclaredField("serializeValue");
        handle.setAccessible(true);
        Object found = handle.get(null);
        assertThat(found).as("the Jackson on the class path has it").isNotNull();
        MessageCodec codec = new MessageCodec(JsonMapper.builder().enable(SerializationFeature.WRAP_ROOT_VALUE).build());
        handle.set(null, null); // as a Jackson that renamed it would leave it
        try {
            for (int i = 0; i < 2; i++) {
                assertThat(payloadText(bytes(codec.encode(Message.of("t", new Reading(i))))))
                    .isEqualTo(codec.mapper().writeValueAsString(new Reading(i)));
            }
            assertThatExceptionOfType(PayloadConversionException.class)
                .isThrownBy(() -> bytes(codec.encode(Message.of("t", new ThrowsUndeclared()))));
            assertThat(payloadText(bytes(codec.encode(Message.of("t", new Reading(3))))))
                .as("the thread's next payload").isEqualTo(codec.mapper().writeValueAsString(new Reading(3)));
        }
        finally {
            handle.set(null, found);
        }
    }

    @Test
    void aCheckedExceptionASerializerThrowsUndeclaredIsAPayloadConversionFailureAndTheThreadsNextPayloadIsWrittenWhole()
            throws IOException {
        assertThatExceptionOfType(PayloadConversionException.class)
            .isThrownBy(() -> bytes(this.codec.encode(Message.of("t", new ThrowsUndeclared()))))
            .withMessage("Cannot write the payload of message 't' (" + ThrowsUndeclared.class.getName()
                    + ") as JSON: its serializer threw java.io.IOException: disk full")
            .havingRootCause().isInstanceOf(IOException.class);
        assertThat(payloadText(bytes(this.codec.encode(Message.of("t", List.of(2)))))).isEqualTo("[2]");
    }

    private static SimpleModule unfinishing() {
        return new SimpleModule().addSerializer(Unfinished.class, new ValueSerializer<Unfinished>() {
            @Override
            public void serialize(Unfinished value, JsonGenerator generator, SerializationContext context) {
                generator.writeStartObject();
                generator.writeNumberProperty("n", value.n());
                generator.writeName("list");
                generator.writeStartArray();
            }
        });
    }

    record Unfinished(int n) {
    }

    static class Broken {

        public String getValue() {
            throw new IllegalStateException("no");
        }
    }

    private static String payloadText(byte[] body) {
        return new String(body, 3, body.length - 3, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] bytes(BodyWriter body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.writeTo(out);
        return out.toByteArray();
    }
}
