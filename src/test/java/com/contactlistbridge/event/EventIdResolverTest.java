package com.contactlistbridge.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventIdResolverTest {

    private static CamelContext context;

    private final EventIdResolver resolver = new EventIdResolver();

    @BeforeAll
    static void createContext() {
        context = new DefaultCamelContext();
    }

    @AfterAll
    static void closeContext() throws Exception {
        context.close();
    }

    /** An exchange shaped like a record from the requests topic. */
    private static Exchange record(Object key, Object mappedEventId) {
        Exchange exchange = new DefaultExchange(context);
        if (key != null) {
            exchange.getMessage().setHeader(KafkaConstants.KEY, key);
        }
        exchange.getMessage().setHeader(KafkaConstants.TOPIC, "contact-list.create");
        exchange.getMessage().setHeader(KafkaConstants.PARTITION, 3);
        exchange.getMessage().setHeader(KafkaConstants.OFFSET, 17L);
        if (mappedEventId != null) {
            exchange.setProperty(BridgeExchange.EVENT_ID, mappedEventId);
        }
        return exchange;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void validateMappedAcceptsAbsentStringAndIntegerIds() throws Exception {
        assertThatCode(() -> {
            EventIdResolver.validateMapped(null);
            EventIdResolver.validateMapped("crm-0001");
            EventIdResolver.validateMapped(42);
            EventIdResolver.validateMapped(12_345_678_901L);
            EventIdResolver.validateMapped(new BigInteger("123456789012345678901234567890"));
        }).doesNotThrowAnyException();
    }

    @Test
    void validateMappedRejectsABlankString() throws Exception {
        assertThatThrownBy(() -> EventIdResolver.validateMapped("   "))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a blank string");
        assertThatThrownBy(() -> EventIdResolver.validateMapped(""))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a blank string");
    }

    @Test
    void validateMappedRejectsAFractionalNumber() throws Exception {
        assertThatThrownBy(() -> EventIdResolver.validateMapped(1.5))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a number");
    }

    @Test
    void validateMappedRejectsBooleanAndObject() throws Exception {
        assertThatThrownBy(() -> EventIdResolver.validateMapped(true))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a boolean");
        assertThatThrownBy(() -> EventIdResolver.validateMapped(Map.of("id", 1)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got an object");
    }

    @Test
    void mappedStringEventIdWinsOverRecordKey() throws Exception {
        Exchange exchange = record(utf8("key-1"), "crm-0001");

        assertThat(resolver.resolve(exchange)).isEqualTo("crm-0001");
        assertThat(exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID)).isEqualTo("crm-0001");
    }

    @Test
    void mappedIntegerEventIdIsAcceptedAsItsDecimalText() throws Exception {
        assertThat(resolver.resolve(record(utf8("key-1"), 42))).isEqualTo("42");
        assertThat(resolver.resolve(record(null, 12_345_678_901L))).isEqualTo("12345678901");
    }

    @Test
    void recordKeyBytesAreUsedWhenThereIsNoEventId() throws Exception {
        assertThat(resolver.resolve(record(utf8("key-Ü-1"), null))).isEqualTo("key-Ü-1");
    }

    @Test
    void aBlankMappedEventIdIsRefusedEvenWithARecordKey() throws Exception {
        assertThatThrownBy(() -> resolver.resolve(record(utf8("key-1"), " "))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void stringRecordKeyIsUsedWhenThereIsNoEventId() throws Exception {
        assertThat(resolver.resolve(record("key-2", null))).isEqualTo("key-2");
    }

    @Test
    void topicPartitionOffsetIsUsedWithoutEventIdOrKey() throws Exception {
        assertThat(resolver.resolve(record(null, null))).isEqualTo("contact-list.create-3-17");
    }

    @Test
    void topicPartitionOffsetIsUsedForAnEmptyKey() throws Exception {
        assertThat(resolver.resolve(record(new byte[0], null))).isEqualTo("contact-list.create-3-17");
    }

    @Test
    void anAlreadyResolvedIdIsKept() throws Exception {
        Exchange exchange = record(utf8("key-1"), "crm-0001");
        exchange.setProperty(BridgeExchange.RESOLVED_EVENT_ID, "resolved-before");

        assertThat(resolver.resolve(exchange)).isEqualTo("resolved-before");
    }

    @Test
    void resolvingTwiceGivesTheSameIdEvenAfterTheMessageChanged() throws Exception {
        Exchange exchange = record(utf8("key-1"), null);
        String first = resolver.resolve(exchange);
        exchange.getMessage().removeHeader(KafkaConstants.KEY);

        assertThat(resolver.resolve(exchange)).isEqualTo(first).isEqualTo("key-1");
    }

    @Test
    void anIdOfExactly256PrintableCharactersIsAcceptedAnd257AreNot() throws Exception {
        String longest = "e".repeat(255) + "\u00e9";
        assertThat(resolver.resolve(record(null, longest))).isEqualTo(longest);
        assertThatThrownBy(() -> resolver.resolve(record(null, longest + "x"))).isInstanceOf(InvalidEventException.class)
                .hasMessage("event id from eventId has 257 characters; the maximum is 256");
        assertThatThrownBy(() -> resolver.resolve(record(utf8("k".repeat(257)), null)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("record key")
                .hasMessageContaining("maximum is 256");
        assertThatThrownBy(() -> resolver.resolve(record(utf8("k".repeat(1025)), null)))
                .as("refused by its byte length before decoding").isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("1025 bytes");
    }

    @Test
    void controlCharactersAndSeparatorsAreRefusedWhereverTheIdComesFrom() throws Exception {
        for (String bad : new String[] {"a\rb", "a\nb", "a\u0000b", "a\tb", "a\u0085b", "a\u2028b", "a\u2029b",
                "a\ud800b"}) {
            assertThatThrownBy(() -> resolver.resolve(record(null, bad))).as("eventId %s", bad.codePoints().toArray())
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("control character");
            assertThatThrownBy(() -> resolver.resolve(record(bad, null))).as("string key")
                    .isInstanceOf(InvalidEventException.class).hasMessageContaining("control character");
        }
        assertThat(resolver.resolve(record(null, "crm-\ud83d\ude00"))).as("a paired surrogate is text")
                .isEqualTo("crm-\ud83d\ude00");
    }

    @Test
    void aBinaryKeyIsNotAnIdButMayTravelWithAnEventId() throws Exception {
        byte[] binary = {(byte) 0xFF, (byte) 0xFE, 0, 1};
        assertThatThrownBy(() -> resolver.resolve(record(binary, null))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("not UTF-8 text").hasMessageContaining("give the event an eventId");
        assertThat(resolver.resolve(record(binary, "crm-7"))).isEqualTo("crm-7");
    }

    @Test
    void safeIdNeverThrowsAndFallsBackToTheKeyThenTheCoordinates() {
        assertThat(resolver.safeId(record(utf8("key-1"), "crm-1"))).isEqualTo("crm-1");
        assertThat(resolver.safeId(record(utf8("key-1"), 1.5))).as("eventId refused, key usable").isEqualTo("key-1");
        assertThat(resolver.safeId(record(utf8("key-1"), "x".repeat(600)))).isEqualTo("key-1");
        assertThat(resolver.safeId(record(utf8("k\r\nforged"), "x".repeat(600)))).as("neither usable")
                .isEqualTo("contact-list.create-3-17");
        assertThat(resolver.safeId(record(utf8("k".repeat(600_000)), null))).isEqualTo("contact-list.create-3-17");
        assertThat(resolver.safeId(record(new byte[] {(byte) 0xC3}, null))).isEqualTo("contact-list.create-3-17");
    }

    @Test
    void aReplayedEventWithoutEventIdAndKeyKeepsTheOriginalEventsId() throws Exception {
        Exchange replayed = record(null, null);
        replayed.getMessage().setHeader(EventIdResolver.REPLAYED_EVENT_ID, utf8("contact-list.create-0-5"));
        assertThat(resolver.resolve(replayed)).as("not its new offset").isEqualTo("contact-list.create-0-5");

        Exchange keyed = record(utf8("key-9"), null);
        keyed.getMessage().setHeader(EventIdResolver.REPLAYED_EVENT_ID, utf8("contact-list.create-0-5"));
        assertThat(resolver.resolve(keyed)).as("a key still wins").isEqualTo("key-9");

        Exchange forged = record(null, null);
        forged.getMessage().setHeader(EventIdResolver.REPLAYED_EVENT_ID, utf8("a\r\nb"));
        assertThatThrownBy(() -> resolver.resolve(forged)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("bridge.replayed-event-id").hasMessageContaining("control character");
    }
}
