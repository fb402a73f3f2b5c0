package com.contactlistbridge.resilience;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka client interceptor for an in-process bridge ({@code camel.component.kafka.interceptor-classes}, which
 * camel-kafka gives to its consumers and producers alike): lets a test act at an exact point of the bridge's own
 * Kafka traffic, e.g. stop the broker right after a given offset commit or a given outcome acknowledgement.
 * The hooks run on the client's thread, before the client call returns to the bridge.
 */
public class KafkaClientHooks implements ConsumerInterceptor<Object, Object>, ProducerInterceptor<Object, Object> {

    /** Called after every successful offset commit of the bridge's consumer, with the committed offsets. */
    static final AtomicReference<Consumer<Map<TopicPartition, OffsetAndMetadata>>> ON_COMMIT =
            new AtomicReference<>();
    /** Called for every record the bridge's producers got acknowledged. */
    static final AtomicReference<Consumer<RecordMetadata>> ON_ACKNOWLEDGEMENT = new AtomicReference<>();

    static void clear() {
        ON_COMMIT.set(null);
        ON_ACKNOWLEDGEMENT.set(null);
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Consumer<Map<TopicPartition, OffsetAndMetadata>> hook = ON_COMMIT.get();
        if (hook != null) {
            hook.accept(offsets);
        }
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        Consumer<RecordMetadata> hook = ON_ACKNOWLEDGEMENT.get();
        if (hook != null && metadata != null && exception == null) {
            hook.accept(metadata);
        }
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
