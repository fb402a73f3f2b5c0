package com.contactlistbridge.routes;

import java.time.Duration;
import java.util.Map;

import com.contactlistbridge.event.EventIdResolver;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the input record's offset right after its outcome record was acknowledged, so a crash re-processes at
 * most the one record in flight rather than the rest of a polled batch.
 */
public class OffsetCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    /**
     * Commits the record's offset; a failure is logged, not thrown: the outcome is already stored, and failing the
     * exchange now would dead-letter an event whose list exists. A later commit covers this offset, or after a
     * rebalance the record is read again and answered from the processed events.
     */
    public void commit(Exchange exchange) {
        KafkaManualCommit manual = manualCommit(exchange);
        if (manual != null) {
            try {
                manual.commit();
            } catch (RuntimeException e) {
                LOG.warn("Could not commit the offset after the outcome was stored ({}); it is committed later or the "
                        + "record is read again", e.getMessage());
            }
        }
    }

    /**
     * Commits everything before this record, not the record itself, so a paused consumer resumes exactly at it.
     *
     * <p>camel-kafka resumes a paused consumer from the committed offset and does not seek at all when a partition
     * has none, which would silently skip the record after the pause (the first record of a new group, say).
     * Runs on the consumer's own thread (the Kafka endpoints are synchronous).
     */
    public void commitUpTo(Exchange exchange) {
        KafkaManualCommit manual = manualCommit(exchange);
        if (manual instanceof DefaultKafkaManualCommit commit) {
            commit.getCamelExchangePayload().consumer.commitSync(Map.of(commit.getPartition(),
                    new OffsetAndMetadata(commit.getRecordOffset())), Duration.ofMillis(commit.getCommitTimeout()));
        }
    }

    private static KafkaManualCommit manualCommit(Exchange exchange) {
        KafkaManualCommit manual = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (manual == null) {
            manual = EventIdResolver.originalMessage(exchange).getHeader(KafkaConstants.MANUAL_COMMIT,
                    KafkaManualCommit.class);
        }
        return manual;
    }
}
