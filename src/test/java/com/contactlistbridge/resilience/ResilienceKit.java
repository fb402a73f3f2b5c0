package com.contactlistbridge.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.contactlistbridge.testsupport.KafkaTestClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionTimeoutException;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;

/**
 * Shared tools of the resilience tests: a counting Kore.ai stub, bulk producing, and counting outcomes per event id.
 */
final class ResilienceKit {

    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private ResilienceKit() {
    }

    // ------------------------------------------------------------------------------------------------ Kore.ai stub

    /**
     * A WireMock stand-in for Kore.ai that answers every create call with 200 and the documented success shape
     * (a fresh {@code data._id} per call, by response templating) and counts the calls per requested list name.
     * The tests give every event a unique name, so the count per name is the count of Kore.ai calls per event.
     * The request journal is off (thousands of calls); a request listener counts instead.
     */
    static final class CountingKore implements AutoCloseable {

        private static final ObjectMapper JSON = new ObjectMapper();

        private final WireMockServer server = new WireMockServer(options().dynamicPort().disableRequestJournal()
                .templatingEnabled(true).containerThreads(20));
        private final Map<String, AtomicInteger> callsByName = new ConcurrentHashMap<>();
        private final AtomicInteger unreadable = new AtomicInteger();

        CountingKore start() {
            server.addMockServiceRequestListener((request, response) -> {
                try {
                    String name = JSON.readTree(request.getBodyAsString()).path("name").asText(null);
                    if (name == null) {
                        unreadable.incrementAndGet();
                    } else {
                        callsByName.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                    }
                } catch (Exception e) {
                    unreadable.incrementAndGet();
                }
            });
            server.start();
            server.stubFor(post(urlPathMatching("/campaign/api/v2/public/.*/campaign/contactList/createContactList"))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withTransformers("response-template")
                            .withBody("{\"status\":\"success\",\"data\":{\"_id\":\"cl-{{randomValue type='UUID'}}\","
                                    + "\"name\":\"{{jsonPath request.body '$.name'}}\",\"status\":\"Ready\","
                                    + "\"createdAt\":\"2025-12-05T09:22:51.001Z\"}}")));
            warmUp();
            return this;
        }

        /**
         * One call from the test JVM first: the first templated answer costs WireMock a second or more (template
         * engine start), which must not count against the bridge's response timeout. Not counted.
         */
        private void warmUp() {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl()
                            + "/campaign/api/v2/public/st-warm-up/campaign/contactList/createContactList"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"warm-up\"}"))
                    .timeout(Duration.ofSeconds(30)).build();
            try {
                int status = HttpClient.newHttpClient()
                        .send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    throw new IllegalStateException("Kore.ai stub warm-up answered " + status);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            callsByName.clear();
            unreadable.set(0);
        }

        String baseUrl() {
            return server.baseUrl();
        }

        WireMockServer server() {
            return server;
        }

        int totalCalls() {
            return callsByName.values().stream().mapToInt(AtomicInteger::get).sum() + unreadable.get();
        }

        int calls(String name) {
            AtomicInteger count = callsByName.get(name);
            return count == null ? 0 : count.get();
        }

        /** Calls beyond the first, summed over all names. */
        int duplicateCalls() {
            return callsByName.values().stream().mapToInt(count -> Math.max(0, count.get() - 1)).sum();
        }

        /** Names called more than once, with their counts. */
        Map<String, Integer> namesCalledMoreThanOnce() {
            return callsByName.entrySet().stream().filter(entry -> entry.getValue().get() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().get(), (a, b) -> a,
                            TreeMap::new));
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    // ------------------------------------------------------------------------------------------------ events

    /** A valid event: the id is key, eventId and list name (so Kore.ai calls can be counted per event). */
    static ProducerRecord<byte[], byte[]> validEvent(String topic, String id) {
        return record(topic, id, "{\"eventId\":\"" + id + "\",\"name\":\"" + id
                + "\",\"description\":\"resilience test event\"}");
    }

    /** An event refused before any call (blank description): dead-lettered as INVALID_EVENT. */
    static ProducerRecord<byte[], byte[]> invalidEvent(String topic, String id) {
        return record(topic, id, "{\"eventId\":\"" + id + "\",\"name\":\"" + id + "\",\"description\":\"  \"}");
    }

    /**
     * {@code count} events with ids {@code <prefix>-00001...}; every {@code invalidEvery}-th is invalid (0 = none).
     */
    static List<ProducerRecord<byte[], byte[]>> events(String topic, String idPrefix, int count, int invalidEvery) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            String id = String.format("%s-%05d", idPrefix, i);
            records.add(invalidEvery > 0 && i % invalidEvery == 0 ? invalidEvent(topic, id) : validEvent(topic, id));
        }
        return records;
    }

    static Set<String> ids(Collection<ProducerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------------------ Kafka

    /**
     * Sends all records with one producer (acks=all) and waits for every acknowledgement.
     *
     * @return where each record was written, by its key (the event id)
     */
    static Map<String, TopicPartitionOffset> produce(String brokers, List<ProducerRecord<byte[], byte[]>> records) {
        return produce(brokers, records, Map.of());
    }

    static Map<String, TopicPartitionOffset> produce(String brokers, List<ProducerRecord<byte[], byte[]>> records,
                                                     Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(extra);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            records.forEach(r -> acks.add(producer.send(r)));
            producer.flush();
            Map<String, TopicPartitionOffset> positions = new HashMap<>();
            for (int i = 0; i < acks.size(); i++) {
                RecordMetadata written = acks.get(i).get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                byte[] key = records.get(i).key();
                if (key != null) {
                    positions.put(new String(key, StandardCharsets.UTF_8), new TopicPartitionOffset(
                            new TopicPartition(written.topic(), written.partition()), written.offset()));
                }
            }
            return positions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while producing", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not produce the test events to " + brokers, e);
        }
    }

    static Admin admin(String brokers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    /** Creates topics with topic-level configs (e.g. max.message.bytes) and waits until every partition is led. */
    static void createTopics(Admin admin, int partitions, Map<String, String> configs, String... names)
            throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1).configs(configs));
        }
        admin.createTopics(topics).all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(CLIENT_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(List.of(names)).allTopicNames()
                        .get(5, TimeUnit.SECONDS);
                return described.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            } catch (ExecutionException e) {
                return false;
            }
        });
    }

    /** The sum of the end offsets of every partition of the topics: the records written so far. */
    static long endOffsetSum(Admin admin, String... topics) throws Exception {
        return endOffsets(admin, topics).values().stream().mapToLong(Long::longValue).sum();
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String... topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicDescription description : admin.describeTopics(List.of(topics)).allTopicNames()
                .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values()) {
            description.partitions().forEach(p -> request.put(new TopicPartition(description.name(), p.partition()),
                    OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** True when the group has committed the end offset of every partition of {@code topic}: all consumed. */
    static boolean allCommitted(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, Long> ends = endOffsets(admin, topic);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return ends.entrySet().stream().allMatch(end -> {
            OffsetAndMetadata c = committed.get(end.getKey());
            return c != null && c.offset() >= end.getValue();
        });
    }

    /**
     * Waits until every id has at least one outcome record and the group has committed every partition of the
     * requests topic (so nothing more will be written), or fails naming the missing ids and the group's progress.
     */
    static Outcomes awaitEveryOutcome(Admin admin, String brokers, String requests, String group, String created,
                                      String deadLetter, Set<String> ids, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() ->
                    endOffsetSum(admin, created, deadLetter) >= ids.size()
                            && Outcomes.read(brokers, created, deadLetter).missing(ids).isEmpty()
                            && allCommitted(admin, group, requests));
        } catch (ConditionTimeoutException e) {
            Outcomes now = Outcomes.read(brokers, created, deadLetter);
            Set<String> missing = now.missing(ids);
            String progress;
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                progress = "end offsets " + endOffsets(admin, requests) + ", committed " + committed;
            } catch (Exception progressFailure) {
                progress = "group progress unavailable: " + progressFailure;
            }
            throw new AssertionError("Not every event had an outcome and was committed within " + timeout + ": "
                    + missing.size() + " of " + ids.size() + " without outcome "
                    + missing.stream().limit(20).toList() + (missing.size() > 20 ? "..." : "") + "; " + progress, e);
        }
        return Outcomes.read(brokers, created, deadLetter);
    }

    /** Where an input record is. */
    record TopicPartitionOffset(TopicPartition partition, long offset) {
        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    /** The group's committed offsets (the next offset to read) per partition; partitions without a commit are absent. */
    static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, offset) -> offsets.put(partition, offset.offset()));
        return offsets;
    }

    /**
     * The delivery contract at one {@code kill -9}, read right after the process died: the committed offsets then, and
     * which events had an outcome.
     *
     * @param committed the group's committed offsets once the killed process could commit no more
     * @param outcomes  the outcome records written by then (read after the offsets: a commit follows its outcomes)
     */
    record KillSnapshot(Map<TopicPartition, Long> committed, Outcomes outcomes) {

        static KillSnapshot read(Admin admin, String brokers, String group, String created, String deadLetter)
                throws Exception {
            Map<TopicPartition, Long> committed = ResilienceKit.committed(admin, group);
            return new KillSnapshot(committed, Outcomes.read(brokers, created, deadLetter));
        }

        /** Commits never pass an event without outcome: the events below a partition's committed offset have one. */
        List<String> committedWithoutOutcome(Map<String, TopicPartitionOffset> positions,
                                             Collection<TopicPartition> partitions) {
            return positions.entrySet().stream()
                    .filter(e -> partitions.contains(e.getValue().partition()))
                    .filter(e -> e.getValue().offset() < committed.getOrDefault(e.getValue().partition(), 0L))
                    .filter(e -> outcomes.count(e.getKey()) == 0)
                    .map(e -> e.getKey() + " at " + e.getValue()).sorted().toList();
        }

        /** Events of these partitions with an outcome that no commit covered yet: what a restart reads again. */
        List<String> uncommittedWithOutcome(Map<String, TopicPartitionOffset> positions,
                                            Collection<TopicPartition> partitions) {
            return positions.entrySet().stream()
                    .filter(e -> partitions.contains(e.getValue().partition()))
                    .filter(e -> e.getValue().offset() >= committed.getOrDefault(e.getValue().partition(), 0L))
                    .filter(e -> outcomes.count(e.getKey()) > 0)
                    .map(Map.Entry::getKey).sorted().toList();
        }

        /**
         * True when the event lies in the one batch a restart reads again for this kill: from its partition's committed
         * offset up to {@code batch} records further.
         */
        boolean inInterruptedBatch(TopicPartitionOffset position, int batch) {
            long from = committed.getOrDefault(position.partition(), 0L);
            return position.offset() >= from && position.offset() < from + batch;
        }
    }

    /**
     * Event ids with more than one outcome that no kill explains: a kill repeats only the events of the batch it
     * interrupted, from the committed offset on, never an event a commit covered before the kill.
     */
    static Map<String, String> duplicatesNoKillExplains(Outcomes outcomes, Map<String, TopicPartitionOffset> positions,
                                                        List<KillSnapshot> kills, Collection<TopicPartition> partitions,
                                                        int batch) {
        Map<String, String> unexplained = new TreeMap<>();
        outcomes.idsWithMoreThanOneOutcome().keySet().forEach(id -> {
            TopicPartitionOffset position = positions.get(id);
            if (position == null) {
                unexplained.put(id, "not an input of the test");
            } else if (partitions.contains(position.partition())
                    && kills.stream().noneMatch(kill -> kill.inInterruptedBatch(position, batch))) {
                unexplained.put(id, position + ", committed at the kills: "
                        + kills.stream().map(k -> k.committed().get(position.partition())).toList());
            }
        });
        return unexplained;
    }

    // ------------------------------------------------------------------------------------------------ outcomes

    /**
     * Outcome records per event id (header {@code bridge.event-id}) from the created and dead-letter topics, and the
     * contact list ids the created records name per event id.
     */
    record Outcomes(Map<String, Integer> created, Map<String, Integer> deadLettered,
                    Map<String, Set<String>> listIds, int records) {

        private static final ObjectMapper JSON = new ObjectMapper();

        static Outcomes read(String brokers, String createdTopic, String deadLetterTopic) {
            List<ConsumerRecord<byte[], byte[]>> createdRecords = KafkaTestClient.readAll(brokers, createdTopic,
                    Duration.ZERO);
            Map<String, Integer> created = countById(createdRecords);
            Map<String, Integer> dead = countById(KafkaTestClient.readAll(brokers, deadLetterTopic, Duration.ZERO));
            Map<String, Set<String>> listIds = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : createdRecords) {
                String listId;
                try {
                    listId = JSON.readTree(r.value()).path("contactListId").asText("(none)");
                } catch (IOException e) {
                    listId = "(unreadable created record)";
                }
                listIds.computeIfAbsent(String.valueOf(KafkaTestClient.header(r, "bridge.event-id")),
                        id -> new TreeSet<>()).add(listId);
            }
            int records = created.values().stream().mapToInt(Integer::intValue).sum()
                    + dead.values().stream().mapToInt(Integer::intValue).sum();
            return new Outcomes(created, dead, listIds, records);
        }

        private static Map<String, Integer> countById(List<ConsumerRecord<byte[], byte[]>> records) {
            Map<String, Integer> counts = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String id = KafkaTestClient.header(r, "bridge.event-id");
                counts.merge(id == null ? "(no bridge.event-id header)" : id, 1, Integer::sum);
            }
            return counts;
        }

        /** Event ids whose created records name more than one contact list (a second list was created). */
        Map<String, Set<String>> idsWithSeveralLists() {
            Map<String, Set<String>> several = new TreeMap<>();
            listIds.forEach((id, lists) -> {
                if (lists.size() > 1) {
                    several.put(id, lists);
                }
            });
            return several;
        }

        int count(String id) {
            return created.getOrDefault(id, 0) + deadLettered.getOrDefault(id, 0);
        }

        Set<String> missing(Collection<String> ids) {
            return ids.stream().filter(id -> count(id) == 0).collect(Collectors.toCollection(TreeSet::new));
        }

        /** Outcome records beyond the first, summed over all ids. */
        int duplicateOutcomes() {
            Set<String> all = new TreeSet<>(created.keySet());
            all.addAll(deadLettered.keySet());
            return all.stream().mapToInt(id -> Math.max(0, count(id) - 1)).sum();
        }

        Map<String, Integer> idsWithMoreThanOneOutcome() {
            Set<String> all = new TreeSet<>(created.keySet());
            all.addAll(deadLettered.keySet());
            return all.stream().filter(id -> count(id) > 1)
                    .collect(Collectors.toMap(id -> id, this::count, (a, b) -> a, TreeMap::new));
        }
    }
}
