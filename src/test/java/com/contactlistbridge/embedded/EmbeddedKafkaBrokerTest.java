package com.contactlistbridge.embedded;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Supplier;

import com.contactlistbridge.testsupport.KafkaTestBroker;
import com.contactlistbridge.testsupport.KafkaTestClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static com.contactlistbridge.testsupport.KafkaTestClient.header;
import static com.contactlistbridge.testsupport.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class EmbeddedKafkaBrokerTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void sharedBrokerServesOnLoopbackWithoutTopicAutoCreation() throws Exception {
        EmbeddedKafkaBroker broker = KafkaTestBroker.get();

        assertThat(broker.isRunning()).isTrue();
        assertThat(broker.autoCreateTopics()).isFalse();
        assertThat(broker.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(KafkaTestBroker.get()).isSameAs(broker);
        try (Admin admin = admin(broker)) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
    }

    @Test
    void createTopicsCreatesRequestedPartitionsAndIsIdempotent() throws Exception {
        EmbeddedKafkaBroker broker = KafkaTestBroker.get();
        String first = uniqueTopic("create-a");
        String second = uniqueTopic("create-b");

        broker.createTopics(3, first, second);
        assertThatCode(() -> broker.createTopics(3, first)).doesNotThrowAnyException();

        try (Admin admin = admin(broker)) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(first, second)).allTopicNames().get();
            assertThat(topics.values()).allSatisfy(topic -> {
                assertThat(topic.partitions()).hasSize(3);
                assertThat(topic.partitions()).allSatisfy(partition -> assertThat(partition.replicas()).hasSize(1));
            });
        }
    }

    @Test
    void createTopicsRejectsInvalidArguments() {
        EmbeddedKafkaBroker broker = KafkaTestBroker.get();

        assertThatThrownBy(() -> broker.createTopics(0, uniqueTopic("zero")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partitions");
        assertThatThrownBy(() -> broker.createTopics(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic name");
        assertThatThrownBy(() -> broker.createTopics(1, "ok-name", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> broker.createTopics(1, " "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void producedRecordsRoundTripWithKeysValuesAndHeaders() {
        EmbeddedKafkaBroker broker = KafkaTestBroker.get();
        String topic = uniqueTopic("round-trip");
        broker.createTopics(3, topic);

        for (int i = 0; i < 6; i++) {
            Map<String, byte[]> headers = new LinkedHashMap<>();
            headers.put("trace", ("first-" + i).getBytes(StandardCharsets.UTF_8));
            headers.put("index", String.valueOf(i).getBytes(StandardCharsets.UTF_8));
            KafkaTestClient.send(broker.bootstrapServers(), topic, ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ("value-" + i).getBytes(StandardCharsets.UTF_8), headers);
        }
        KafkaTestClient.send(broker.bootstrapServers(), topic, null, "no-key");

        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestClient.awaitRecords(broker.bootstrapServers(), topic, 7, TIMEOUT);

        assertThat(records).hasSize(7);
        assertThat(records).extracting(r -> text(r.value()))
                .containsExactlyInAnyOrder("value-0", "value-1", "value-2", "value-3", "value-4", "value-5", "no-key");
        assertThat(records).isSortedAccordingTo((a, b) -> a.partition() != b.partition()
                ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
        // Six distinct keys over three partitions: the default partitioner hashes keys, so more than one is used.
        assertThat(records).extracting(ConsumerRecord::partition).hasSizeGreaterThan(1);
        ConsumerRecord<byte[], byte[]> third = records.stream()
                .filter(r -> "value-3".equals(text(r.value()))).findFirst().orElseThrow();
        assertThat(text(third.key())).isEqualTo("key-3");
        assertThat(header(third, "trace")).isEqualTo("first-3");
        assertThat(header(third, "index")).isEqualTo("3");
        assertThat(header(third, "missing")).isNull();
        ConsumerRecord<byte[], byte[]> keyless = records.stream()
                .filter(r -> "no-key".equals(text(r.value()))).findFirst().orElseThrow();
        assertThat(keyless.key()).isNull();
        assertThat(keyless.headers().toArray()).isEmpty();

        // Exactly seven: a snapshot up to the end offsets, then a short quiet period.
        assertThat(KafkaTestClient.readAll(broker.bootstrapServers(), topic, Duration.ZERO)).hasSize(7);
        assertThat(KafkaTestClient.readAll(broker.bootstrapServers(), topic, Duration.ofMillis(300))).hasSize(7);
    }

    @Test
    void readHelpersHandleEmptyMissingAndShortTopics() {
        EmbeddedKafkaBroker broker = KafkaTestBroker.get();
        String topic = uniqueTopic("short");
        broker.createTopics(2, topic);

        assertThat(KafkaTestClient.readAll(broker.bootstrapServers(), topic, Duration.ZERO)).isEmpty();
        assertThat(KafkaTestClient.readAll(broker.bootstrapServers(), uniqueTopic("never-created"), Duration.ZERO))
                .isEmpty();

        KafkaTestClient.send(broker.bootstrapServers(), topic, "k", "only one");
        assertThatThrownBy(() -> KafkaTestClient.awaitRecords(broker.bootstrapServers(), topic, 2,
                Duration.ofSeconds(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("'" + topic + "'")
                .hasMessageContaining("at least 2")
                .hasMessageContaining("got 1");
    }

    @Test
    void committedOffsetReadsWhatAConsumerGroupCommitted() {
        EmbeddedKafkaBroker broker = KafkaTestBroker.get();
        String topic = uniqueTopic("commit");
        String group = "group-" + UUID.randomUUID();
        broker.createTopics(1, topic);
        for (int i = 0; i < 3; i++) {
            KafkaTestClient.send(broker.bootstrapServers(), topic, "k" + i, "v" + i);
        }

        assertThat(KafkaTestClient.committedOffset(broker.bootstrapServers(), group, topic, 0)).isEqualTo(-1);
        consumeAndCommit(broker, group, topic, 3);

        assertThat(KafkaTestClient.committedOffset(broker.bootstrapServers(), group, topic, 0)).isEqualTo(3);
        assertThat(KafkaTestClient.committedOffset(broker.bootstrapServers(), group, topic, 1)).isEqualTo(-1);
        assertThat(KafkaTestClient.committedOffset(broker.bootstrapServers(), "no-such-group", topic, 0))
                .isEqualTo(-1);
    }

    @Test
    void closeIsIdempotentAndDeletesTheLogDirectory() {
        EmbeddedKafkaBroker broker = timedStart("auto-create", () -> EmbeddedKafkaBroker.start(true));
        Path logDir = broker.logDir();
        try {
            assertThat(broker.autoCreateTopics()).isTrue();
            // auto.create.topics.enable=true: producing to an unknown topic creates it.
            String topic = uniqueTopic("auto");
            KafkaTestClient.send(broker.bootstrapServers(), topic, "k", "created on the fly");
            assertThat(KafkaTestClient.awaitRecords(broker.bootstrapServers(), topic, 1, TIMEOUT)).hasSize(1);
            assertThat(logDir).isDirectory();
        } finally {
            long startNanos = System.nanoTime();
            broker.close();
            LOG.info("Embedded broker closed in {} ms", (System.nanoTime() - startNanos) / 1_000_000);
        }

        assertThat(logDir).doesNotExist();
        assertThat(broker.isRunning()).isFalse();
        assertThatCode(broker::close).doesNotThrowAnyException();
        assertThatThrownBy(broker::stop).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(broker::restart).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> broker.createTopics(1, "after-close"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void stopAndRestartKeepPortTopicsRecordsAndOffsets() throws Exception {
        try (EmbeddedKafkaBroker broker = timedStart("restartable", EmbeddedKafkaBroker::start)) {
            String bootstrap = broker.bootstrapServers();
            String topic = uniqueTopic("restart");
            String group = "group-" + UUID.randomUUID();
            broker.createTopics(2, topic);
            for (int i = 0; i < 3; i++) {
                KafkaTestClient.send(bootstrap, topic, "k" + i, "before-" + i);
            }
            consumeAndCommit(broker, group, topic, 3);
            long committedBefore = KafkaTestClient.committedOffset(bootstrap, group, topic, 0)
                    + KafkaTestClient.committedOffset(bootstrap, group, topic, 1);

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThat(broker.logDir()).isDirectory();
            assertThat(accepts(broker.bootstrapServers())).as("port closed while stopped").isFalse();
            assertThatCode(broker::stop).as("stop is idempotent").doesNotThrowAnyException();
            assertThatThrownBy(() -> broker.createTopics(1, "while-stopped"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");

            // A restart while someone else holds the port fails with an exception and leaves the broker stopped.
            try (ServerSocket squatter = new ServerSocket()) {
                squatter.bind(new InetSocketAddress("127.0.0.1", port(bootstrap)));
                assertThatThrownBy(broker::restart)
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
                assertThat(broker.isRunning()).isFalse();
            }

            long restartNanos = System.nanoTime();
            broker.restart();
            LOG.info("Embedded broker restarted in {} ms", (System.nanoTime() - restartNanos) / 1_000_000);

            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(KafkaTestClient.readAll(bootstrap, topic, Duration.ZERO))
                    .extracting(r -> text(r.value()))
                    .containsExactlyInAnyOrder("before-0", "before-1", "before-2");
            assertThat(KafkaTestClient.committedOffset(bootstrap, group, topic, 0)
                    + KafkaTestClient.committedOffset(bootstrap, group, topic, 1)).isEqualTo(committedBefore);

            // Restart while running also works (stop, then start) and the broker keeps accepting writes.
            broker.restart();
            KafkaTestClient.send(bootstrap, topic, "k3", "after");
            assertThat(KafkaTestClient.awaitRecords(bootstrap, topic, 4, TIMEOUT))
                    .extracting(r -> text(r.value()))
                    .contains("after");
            broker.createTopics(1, uniqueTopic("after-restart"));
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static EmbeddedKafkaBroker timedStart(String name, Supplier<EmbeddedKafkaBroker> start) {
        long startNanos = System.nanoTime();
        EmbeddedKafkaBroker broker = start.get();
        LOG.info("Embedded broker '{}' available after {} ms", name, (System.nanoTime() - startNanos) / 1_000_000);
        return broker;
    }

    /** Reads {@code count} records as a member of {@code group} and commits synchronously, as an app would. */
    private static void consumeAndCommit(EmbeddedKafkaBroker broker, String group, String topic, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
            await().atMost(TIMEOUT).pollInSameThread().pollDelay(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
                return received.size() >= count;
            });
            consumer.commitSync(TIMEOUT);
        }
    }

    private static int port(String bootstrap) {
        return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    private static boolean accepts(String bootstrap) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port(bootstrap)), 1000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static String uniqueTopic(String purpose) {
        return "embedded-broker-test-" + purpose + "-" + UUID.randomUUID();
    }
}
