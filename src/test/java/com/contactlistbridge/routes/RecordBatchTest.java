package com.contactlistbridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The batch's bookkeeping against Kafka's MockConsumer (a unit test of positions and seeks; the end-to-end tests run
 * on a real broker).
 */
class RecordBatchTest {

    private static final TopicPartition P0 = new TopicPartition("requests", 0);
    private static final TopicPartition P1 = new TopicPartition("requests", 1);
    private static final TopicPartition P2 = new TopicPartition("requests", 2);

    private static MockConsumer<byte[], byte[]> consumerAt(long position) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        consumer.assign(List.of(P0, P1, P2));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, P2, 0L));
        consumer.updateEndOffsets(Map.of(P0, 20L, P1, 20L, P2, 20L));
        for (TopicPartition partition : List.of(P0, P1, P2)) {
            consumer.seek(partition, position);
        }
        return consumer;
    }

    @Test
    void rewindPutsEveryAssignedPartitionBackAtItsFirstRecordWithoutAnOutcome() {
        // The poll read P0 and P1 up to offset 10; the batch held P0's offsets 3..5 only.
        MockConsumer<byte[], byte[]> consumer = consumerAt(10);
        consumer.commitSync(Map.of(P1, new OffsetAndMetadata(7)));
        RecordBatch batch = new RecordBatch(List.of(new RecordBatch.Position(P0, 3), new RecordBatch.Position(P0, 4),
                new RecordBatch.Position(P0, 5)), consumer, Duration.ofSeconds(1), Duration.ofMinutes(1), true);
        batch.settled(0);
        batch.failed(1, new IllegalStateException("held back"));

        batch.rewind();

        assertThat(consumer.position(P0)).as("the batch's first record without an outcome").isEqualTo(4);
        assertThat(consumer.position(P1)).as("not in the batch: its committed offset").isEqualTo(7);
        assertThat(consumer.position(P2)).as("no committed offset: its beginning, never past unread records")
                .isZero();
    }

    @Test
    void withoutEarliestResetAPartitionWithoutCommittedOffsetIsLeftWhereItIs() {
        MockConsumer<byte[], byte[]> consumer = consumerAt(10);
        RecordBatch batch = new RecordBatch(List.of(new RecordBatch.Position(P0, 3)), consumer,
                Duration.ofSeconds(1), Duration.ofMinutes(1), false);

        batch.rewind();

        assertThat(consumer.position(P0)).as("nothing settled: the batch's first record").isEqualTo(3);
        assertThat(consumer.position(P2)).isEqualTo(10);
    }

    @Test
    void aCutOffStopsTheBatchAndKeepsItsFirstReason() {
        RecordBatch batch = new RecordBatch(List.of(new RecordBatch.Position(P0, 0)), consumerAt(0),
                Duration.ofSeconds(1), Duration.ofMinutes(1), true);
        assertThat(batch.stopped()).isFalse();
        assertThat(batch.startWindowUsed()).isFalse();

        batch.cutOff("the bridge is stopping");
        batch.cutOff("the batch has run for half of max.poll.interval.ms");

        assertThat(batch.stopped()).isTrue();
        assertThat(batch.cutOffReason()).isEqualTo("the bridge is stopping");
        assertThat(batch.failure()).as("a cut-off is not a record's failure").isNull();
    }

    @Test
    void theStartWindowEndsAfterItsDuration() {
        RecordBatch batch = new RecordBatch(List.of(new RecordBatch.Position(P0, 0)), consumerAt(0),
                Duration.ofSeconds(1), Duration.ZERO, true);
        assertThat(batch.startWindowUsed()).isTrue();
    }

    @Test
    void aPartitionWhoseFirstRecordHasNoOutcomeIsCommittedAtThatRecord() {
        MockConsumer<byte[], byte[]> consumer = consumerAt(10);
        RecordBatch batch = new RecordBatch(List.of(new RecordBatch.Position(P0, 3), new RecordBatch.Position(P1, 8),
                new RecordBatch.Position(P1, 9)), consumer, Duration.ofSeconds(1), Duration.ofMinutes(1), true);
        batch.settled(1);

        assertThat(batch.commitSettled()).containsEntry(P0, new OffsetAndMetadata(3))
                .containsEntry(P1, new OffsetAndMetadata(9));
        assertThat(batch.commitSettled()).as("nothing moved since").isEmpty();
        batch.settled(0);
        batch.settled(2);
        assertThat(batch.commitSettled()).containsEntry(P0, new OffsetAndMetadata(4))
                .containsEntry(P1, new OffsetAndMetadata(10));
    }
}
