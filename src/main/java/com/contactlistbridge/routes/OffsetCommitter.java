package com.contactlistbridge.routes;

import com.contactlistbridge.event.EventIdResolver;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits the input record's offset right after its outcome record was acknowledged, so a crash re-processes at
 * most the one record in flight rather than the rest of a polled batch.
 */
public class OffsetCommitter {

    public void commit(Exchange exchange) {
        KafkaManualCommit manual = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (manual == null) {
            manual = EventIdResolver.originalMessage(exchange).getHeader(KafkaConstants.MANUAL_COMMIT,
                    KafkaManualCommit.class);
        }
        if (manual != null) {
            manual.commit();
        }
    }
}
