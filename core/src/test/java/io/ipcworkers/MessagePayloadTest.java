package io.ipcworkers;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Payloads cross the channel as JSON and come back untyped or as the type the receiver asks for. */
class MessagePayloadTest {

    record Order(String id, int quantity, List<String> tags) {
    }

    private static ProcessManager pm;

    private static ChildProcess echo;

    @BeforeAll
    static void start() {
        pm = ProcessManager.builder().output(new CollectingOutput()).build();
        echo = pm.runProcess((self, parent) -> {
            while (true) {
                parent.sendMessage(parent.getNextMessage());
            }
        });
    }

    @AfterAll
    static void stop() {
        long pid = echo.getId();
        pm.close();
        Processes.assertAllGone(List.of(pid), Duration.ofSeconds(5));
    }

    private static Message roundTrip(Object payload) {
        echo.sendMessage(Message.of("echo", payload));
        return echo.getNextMessage(Duration.ofSeconds(10));
    }

    @Test
    void untypedPayloadIsMapsListsStringsNumbersBooleansAndNull() {
        Map<String, Object> payload = Map.of("s", "text", "n", 42, "d", 1.5, "b", true, "list", List.of(1, "two"),
                "map", Map.of("k", "v"));
        assertThat(roundTrip(payload).payload()).isEqualTo(payload);
        assertThat(roundTrip(null).payload()).isNull();
        assertThat(roundTrip("plain").payload()).isEqualTo("plain");
    }

    @Test
    void aMessageAsPayloadStandsForItsPayloadAndAReceivedOneIsPassedOnAsItsJson() {
        Order order = new Order("A-1", 3, List.of("fragile"));
        Message received = roundTrip(order);
        Message forwarded = Message.of("forwarded", received);
        assertThat(forwarded.topic()).isEqualTo("forwarded");
        assertThat(forwarded.payloadAs(Order.class)).isEqualTo(order);
        assertThat(roundTrip(forwarded).payloadAs(Order.class)).isEqualTo(order);
        assertThat(roundTrip(Message.of("unsent", order)).payloadAs(Order.class)).isEqualTo(order);
        assertThat(roundTrip(Message.of("unsent", null)).payload()).isNull();
    }

    @Test
    void recordsComeBackTyped() {
        Order order = new Order("A-1", 3, List.of("fragile"));
        assertThat(roundTrip(order).payloadAs(Order.class)).isEqualTo(order);
    }

    @Test
    void genericTypesComeBackTyped() {
        List<Order> orders = List.of(new Order("A", 1, List.of()), new Order("B", 2, List.of("x")));
        assertThat(roundTrip(orders).payloadAs(new TypeReference<List<Order>>() { })).isEqualTo(orders);
    }

    @Test
    void unicodeTopicsAndPayloadsSurvive() {
        echo.sendMessage(Message.of("grüße/🚀", "日本語"));
        Message back = echo.getNextMessage(Duration.ofSeconds(10));
        assertThat(back.topic()).isEqualTo("grüße/🚀");
        assertThat(back.payload()).isEqualTo("日本語");
    }

    @Test
    void oneMebibytePayloadRoundTrips() {
        char[] chars = new char[1 << 20];
        Arrays.fill(chars, 'x');
        String big = new String(chars);
        assertThat(roundTrip(big).payloadAs(String.class)).isEqualTo(big);
    }

    @Test
    void manyMessagesArriveInOrder() {
        for (int i = 0; i < 10_000; i++) {
            echo.sendMessage(Message.of("n", i));
            if (i % 100 == 99) {
                for (int j = i - 99; j <= i; j++) {
                    assertThat(echo.getNextMessage(Duration.ofSeconds(10)).payloadAs(Integer.class)).isEqualTo(j);
                }
            }
        }
    }

    @Test
    void localMessagesConvertWithoutTheWire() {
        Message message = Message.of("local", Map.of("id", "X", "quantity", 2, "tags", List.of()));
        assertThat(message.payloadAs(Order.class)).isEqualTo(new Order("X", 2, List.of()));
    }
}
