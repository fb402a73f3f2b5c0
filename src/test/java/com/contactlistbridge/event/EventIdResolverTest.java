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
    void validateMappedAcceptsAbsentStringAndIntegerIds() {
        assertThatCode(() -> {
            EventIdResolver.validateMapped(null);
            EventIdResolver.validateMapped("crm-0001");
            EventIdResolver.validateMapped(42);
            EventIdResolver.validateMapped(12_345_678_901L);
            EventIdResolver.validateMapped(new BigInteger("123456789012345678901234567890"));
        }).doesNotThrowAnyException();
    }

    @Test
    void validateMappedRejectsABlankString() {
        assertThatThrownBy(() -> EventIdResolver.validateMapped("   "))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a blank string");
        assertThatThrownBy(() -> EventIdResolver.validateMapped(""))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a blank string");
    }

    @Test
    void validateMappedRejectsAFractionalNumber() {
        assertThatThrownBy(() -> EventIdResolver.validateMapped(1.5))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a number");
    }

    @Test
    void validateMappedRejectsBooleanAndObject() {
        assertThatThrownBy(() -> EventIdResolver.validateMapped(true))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got a boolean");
        assertThatThrownBy(() -> EventIdResolver.validateMapped(Map.of("id", 1)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("eventId must be a non-blank string or an integer, got an object");
    }

    @Test
    void mappedStringEventIdWinsOverRecordKey() throws InvalidEventException {
        Exchange exchange = record(utf8("key-1"), "crm-0001");

        assertThat(resolver.resolve(exchange)).isEqualTo("crm-0001");
        assertThat(exchange.getProperty(BridgeExchange.RESOLVED_EVENT_ID)).isEqualTo("crm-0001");
    }

    @Test
    void mappedIntegerEventIdIsAcceptedAsItsDecimalText() throws InvalidEventException {
        assertThat(resolver.resolve(record(utf8("key-1"), 42))).isEqualTo("42");
        assertThat(resolver.resolve(record(null, 12_345_678_901L))).isEqualTo("12345678901");
    }

    @Test
    void recordKeyBytesAreUsedWhenThereIsNoEventId() throws InvalidEventException {
        assertThat(resolver.resolve(record(utf8("key-Ü-1"), null))).isEqualTo("key-Ü-1");
    }

    @Test
    void aBlankMappedEventIdIsRefusedEvenWithARecordKey() {
        assertThatThrownBy(() -> resolver.resolve(record(utf8("key-1"), " "))).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("blank");
    }

    @Test
    void stringRecordKeyIsUsedWhenThereIsNoEventId() throws InvalidEventException {
        assertThat(resolver.resolve(record("key-2", null))).isEqualTo("key-2");
    }

    @Test
    void topicPartitionOffsetIsUsedWithoutEventIdOrKey() throws InvalidEventException {
        assertThat(resolver.resolve(record(null, null))).isEqualTo("contact-list.create-3-17");
    }

    @Test
    void topicPartitionOffsetIsUsedForAnEmptyKey() throws InvalidEventException {
        assertThat(resolver.resolve(record(new byte[0], null))).isEqualTo("contact-list.create-3-17");
    }

    @Test
    void anAlreadyResolvedIdIsKept() throws InvalidEventException {
        Exchange exchange = record(utf8("key-1"), "crm-0001");
        exchange.setProperty(BridgeExchange.RESOLVED_EVENT_ID, "resolved-before");

        assertThat(resolver.resolve(exchange)).isEqualTo("resolved-before");
    }

    @Test
    void resolvingTwiceGivesTheSameIdEvenAfterTheMessageChanged() throws InvalidEventException {
        Exchange exchange = record(utf8("key-1"), null);
        String first = resolver.resolve(exchange);
        exchange.getMessage().removeHeader(KafkaConstants.KEY);

        assertThat(resolver.resolve(exchange)).isEqualTo(first).isEqualTo("key-1");
    }
}
