package com.contactlistbridge.kore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;
import com.contactlistbridge.ops.ProcessedEventsHealthCheck;
import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;

/** The processed-events store on a real broker: its background reader restarts after a failure. */
class ProcessedEventsTest {

    private final EmbeddedKafkaBroker broker = KafkaTestBroker.get();

    /** A real consumer whose poll fails while the switch is on, as a lost authorisation or a broken client would. */
    private static final class FailingConsumer extends KafkaConsumer<String, byte[]> {
        private final AtomicBoolean failing;

        FailingConsumer(Properties config, AtomicBoolean failing) {
            super(config, new StringDeserializer(), new ByteArrayDeserializer());
            this.failing = failing;
        }

        @Override
        public ConsumerRecords<String, byte[]> poll(Duration timeout) {
            if (failing.get()) {
                throw new KafkaException("injected reader failure");
            }
            return super.poll(timeout);
        }
    }

    @Test
    void aFailedReaderRestartsFromWhereItStoppedAndReadinessIsDownMeanwhile() throws Exception {
        String topic = "processed-follower-" + UUID.randomUUID();
        broker.createTopics(1, topic);
        KafkaTestClient.send(broker.bootstrapServers(), topic, "before-start", "{\"contactListId\":\"cl-0\"}");
        AtomicBoolean failing = new AtomicBoolean();
        AtomicInteger readers = new AtomicInteger();
        Properties config = new Properties();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        ProcessedEvents store = new ProcessedEvents(topic, 100, () -> config, c -> {
            readers.incrementAndGet();
            return new FailingConsumer(c, failing);
        }, 50);
        ProcessedEventsHealthCheck health = new ProcessedEventsHealthCheck(store);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            health.setCamelContext(context);
            assertThat(health.isLiveness()).as("restarting the process would not help").isFalse();
            assertThat(health.isReadiness()).isTrue();
            assertThat(health.call().getState()).as("not started").isEqualTo(HealthCheck.State.DOWN);

            store.start();
            assertThat(store.find("before-start")).as("loaded at start").isPresent();
            assertThat(health.call().getState()).isEqualTo(HealthCheck.State.UP);

            failing.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> !store.isFollowing());
            assertThat(health.call().getState()).isEqualTo(HealthCheck.State.DOWN);
            // Written by another instance while this reader is down.
            KafkaTestClient.send(broker.bootstrapServers(), topic, "during-failure", "{\"contactListId\":\"cl-1\"}");
            // Restarts keep trying while the failure lasts, and readiness stays DOWN.
            await().atMost(Duration.ofSeconds(10)).until(() -> readers.get() >= 3);
            assertThat(health.call().getState()).isEqualTo(HealthCheck.State.DOWN);

            failing.set(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> store.find("during-failure").isPresent());
            assertThat(store.isFollowing()).isTrue();
            assertThat(health.call().getState()).isEqualTo(HealthCheck.State.UP);
            assertThat(new String(store.find("during-failure").orElseThrow(), StandardCharsets.UTF_8))
                    .contains("cl-1");

            KafkaTestClient.send(broker.bootstrapServers(), topic, "after-restart", "{\"contactListId\":\"cl-2\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("after-restart").isPresent());
            assertThat(store.size()).isEqualTo(3);
        } finally {
            store.stop();
        }
        assertThat(store.isFollowing()).isFalse();
    }

    /**
     * The store topic is created at start-up, and its metadata reaches the reader only after a while (as on a busy
     * broker): the reader still follows every partition, instead of failing at every poll with none assigned
     * (readiness would stay DOWN).
     */
    @Test
    void aTopicCreatedAtStartIsFollowedAlthoughItsPartitionsAreKnownLate() throws Exception {
        String topic = "processed-late-" + UUID.randomUUID();
        Properties config = new Properties();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        AtomicInteger lookUps = new AtomicInteger();
        ProcessedEvents store = new ProcessedEvents(topic, 100, () -> config,
                c -> new KafkaConsumer<String, byte[]>(c, new StringDeserializer(), new ByteArrayDeserializer()) {
                    @Override
                    public List<PartitionInfo> partitionsFor(String name, Duration timeout) {
                        // Missing before the creation, and unknown for the first look after it.
                        return lookUps.incrementAndGet() <= 2 ? List.of() : super.partitionsFor(name, timeout);
                    }
                }, 50);
        try {
            store.start();
            assertThat(lookUps.get()).as("looks at the topic's partitions").isGreaterThan(2);
            KafkaTestClient.send(broker.bootstrapServers(), topic, "written-elsewhere", "{\"contactListId\":\"cl-9\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> store.find("written-elsewhere").isPresent());
            assertThat(store.isFollowing()).isTrue();
        } finally {
            store.stop();
        }
    }

    @Test
    void aTopicWithASmallRecordLimitTakesConcurrentWritesAndRefusesTooLargeRecordsAtOnce() throws Exception {
        String topic = "processed-small-" + UUID.randomUUID();
        Properties adminConfig = new Properties();
        adminConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(adminConfig)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                    "max.message.bytes", "600")))).all().get(30, TimeUnit.SECONDS);
        }
        ProcessedEvents store = new ProcessedEvents(topic, 100, () -> adminConfig);
        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            store.start();
            // Many small records at once: batched together they would exceed the topic's limit.
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = "small-" + i;
                writes.add(writers.submit(() -> {
                    store.remember(id, ("{\"contactListId\":\"cl-" + id + "\",\"name\":\"" + "n".repeat(200)
                            + "\"}").getBytes(StandardCharsets.UTF_8));
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get(30, TimeUnit.SECONDS);
            }
            byte[] large = ("{\"contactListId\":\"" + "z".repeat(700) + "\"}").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> store.remember("large", large)).isInstanceOf(ProcessedEventsException.class)
                    .hasMessageContaining("larger than " + topic + " accepts (600 bytes)")
                    .satisfies(e -> assertThat(((ProcessedEventsException) e).retryable()).isFalse());
            assertThat(store.find("large")).as("kept in memory: this process never calls Kore.ai for it again")
                    .isPresent();
            assertThat(store.isDurable("large")).isFalse();
            assertThat(store.isDurable("small-7")).isTrue();
            assertThat(KafkaTestClient.readAll(broker.bootstrapServers(), topic, Duration.ZERO)).hasSize(40);
        } finally {
            writers.shutdownNow();
            store.stop();
        }
    }
}
