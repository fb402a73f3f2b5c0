package com.contactlistbridge.benchmark;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces valid "create contact list" events to a requests topic and remembers each one's CreateTime (the
 * timestamp the broker acknowledged), keyed by event id.
 */
final class EventLoader implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Map<String, Long> createTimes = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();

    EventLoader(String brokers, String topic) {
        this.producer = new KafkaProducer<>(Clients.loadProducer(brokers));
        this.topic = topic;
    }

    /** Event ids {@code <prefix>-0 .. <prefix>-(count-1)}. */
    static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }

    /** Sends all events as fast as the producer takes them, then waits for every acknowledgement. */
    void sendAll(List<String> eventIds) {
        for (String eventId : eventIds) {
            send(eventId);
        }
        producer.flush();
        requireNoFailure();
    }

    /**
     * Sends the events at a fixed rate from a scheduler (one event per period), then waits for every
     * acknowledgement.
     */
    void sendPaced(List<String> eventIds, double perSecond) throws InterruptedException {
        if (eventIds.isEmpty()) {
            return;
        }
        long periodNanos = Math.max(1, Math.round(1e9 / perSecond));
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                LatencyStub.daemonThreads("paced-sender"));
        try {
            ScheduledFuture<?> task = scheduler.scheduleAtFixedRate(() -> {
                int index = next.getAndIncrement();
                if (index < eventIds.size()) {
                    send(eventIds.get(index));
                }
                if (index >= eventIds.size() - 1) {
                    done.countDown();
                }
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            done.await();
            task.cancel(false);
        } finally {
            scheduler.shutdownNow();
        }
        producer.flush();
        requireNoFailure();
    }

    /** CreateTime of an event sent by this loader, or null. */
    Long createTime(String eventId) {
        return createTimes.get(eventId);
    }

    private void send(String eventId) {
        byte[] key = eventId.getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, key, event(eventId)), (metadata, exception) -> {
            if (exception != null) {
                sendFailure.compareAndSet(null, exception);
            } else {
                createTimes.put(eventId, metadata.timestamp());
            }
        });
    }

    /** A valid event: name at most 48 UTF-16 code units, description at most 256. */
    static byte[] event(String eventId) {
        String name = "Bench " + eventId;
        if (name.length() > 48) {
            name = name.substring(0, 48);
        }
        String json = "{\"eventId\":\"" + eventId + "\",\"name\":\"" + name
                + "\",\"description\":\"Benchmark contact list for event " + eventId + "\",\"allowDuplicates\":false}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private void requireNoFailure() {
        Exception failure = sendFailure.get();
        if (failure != null) {
            throw new IllegalStateException("Could not produce the benchmark events to " + topic, failure);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
