package com.contactlistbridge.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The producers' batch.size against the topics' max.message.bytes; the loop it prevents is OversizedDeadLetterTest's. */
class ProducerBatchLimitTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void theSmallestLimitBelowTheBatchSizeWins() {
        assertThat(ProducerBatchLimit.capped(16_384, Map.of("created", 1_048_588, "dlq", 4_000, "done", 9_000)))
                .isEqualTo(4_000);
        assertThat(ProducerBatchLimit.capped(16_384, Map.of("created", 1_048_588))).isEqualTo(16_384);
        assertThat(ProducerBatchLimit.capped(16_384, Map.of())).isEqualTo(16_384);
        // A smaller configured batch size is kept; a limit of 0 still leaves one record per batch.
        assertThat(ProducerBatchLimit.capped(2_000, Map.of("dlq", 4_000))).isEqualTo(2_000);
        assertThat(ProducerBatchLimit.capped(16_384, Map.of("odd", 0))).isEqualTo(1);
    }

    @Test
    void theRoutesBatchSizeIsLoweredToWhatAnExistingTopicAccepts() throws Exception {
        String brokers = KafkaTestBroker.get().bootstrapServers();
        String prefix = KafkaTestBroker.freshTopics("batch-limit");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            admin.createTopics(List.of(new NewTopic(prefix + ".small", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "5000")))).all().get(30, TimeUnit.SECONDS);
        }
        KafkaConfiguration component = new KafkaConfiguration();
        component.setBrokers(brokers);

        // As the bridge uses it: the check runs in the background, the service's start waits for it.
        ProducerBatchLimit limit = new ProducerBatchLimit(settings(component), TIMEOUT);
        limit.check(component, List.of(prefix + ".created", prefix + ".small", prefix + ".not-created-yet"));
        limit.start();

        assertThat(component.getProducerBatchSize()).isEqualTo(5_000);
        limit.stop();
        // Topics with the broker's default limit (1 MB) leave Kafka's 16 KB as it is.
        KafkaConfiguration other = new KafkaConfiguration();
        other.setBrokers(brokers);
        assertThat(ProducerBatchLimit.apply(other, settings(other), List.of(prefix + ".created", prefix + ".dlq"),
                TIMEOUT)).isEqualTo(16_384);
        assertThat(other.getProducerBatchSize()).isEqualTo(16_384);
    }

    @Test
    void withoutAnAnswerTheStartGoesOnWithTheConfiguredBatchSize() {
        KafkaConfiguration component = new KafkaConfiguration();
        component.setBrokers("127.0.0.1:1"); // nothing listens there
        component.setProducerBatchSize(8_000);

        int batchSize = ProducerBatchLimit.apply(component, settings(component), List.of("any-topic"),
                Duration.ofMillis(500));

        assertThat(batchSize).isEqualTo(8_000);
        assertThat(component.getProducerBatchSize()).isEqualTo(8_000);
    }

    @Test
    void aCheckThatFailsDoesNotStopTheStart() {
        KafkaConfiguration component = new KafkaConfiguration();
        component.setBrokers("127.0.0.1:1");
        // Not read(): making a client fails at once, inside the check.
        ProducerBatchLimit limit = new ProducerBatchLimit(new KafkaClientSettings(() -> component, () -> null),
                TIMEOUT);
        limit.check(component, List.of("any-topic"));

        limit.start();

        assertThat(limit.isStarted()).isTrue();
        assertThat(component.getProducerBatchSize()).isEqualTo(16_384);
        limit.stop();
    }

    private static KafkaClientSettings settings(KafkaConfiguration component) {
        return new KafkaClientSettings(() -> component, () -> null).read();
    }
}
