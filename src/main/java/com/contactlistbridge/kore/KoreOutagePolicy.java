package com.contactlistbridge.kore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a record whose retries ran out should do when Kore.ai looks unavailable: hold it back (the
 * exchange fails with {@link KoreUnavailableException}, the offset stays uncommitted, and the route's circuit breaker
 * pauses consumption) or, after too many pauses for the same record, let it be dead-lettered as UNAVAILABLE.
 *
 * <p>This turns an outage into a pause rather than a flood of dead letters, while a record that keeps failing on its
 * own cannot block its partition forever.
 */
public class KoreOutagePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(KoreOutagePolicy.class);

    private final int maxPauses;
    private final long pauseMillis;
    /** Pauses caused so far, per record (topic-partition-offset); an entry lives until the record has an outcome. */
    private final Map<String, Integer> pausesByRecord = new ConcurrentHashMap<>();

    public KoreOutagePolicy(int maxPauses, long pauseMillis) {
        if (maxPauses < 0) {
            throw new IllegalArgumentException("maxPauses must not be negative, got " + maxPauses);
        }
        this.maxPauses = maxPauses;
        this.pauseMillis = pauseMillis;
    }

    /**
     * Called for a record that exhausted its retries with a retryable failure.
     *
     * @throws KoreUnavailableException to hold the record back and pause consumption; returns normally when the
     *                                  record has paused consumption often enough and should be dead-lettered
     */
    public void holdBackOrRelease(Exchange exchange, Classification failure) throws KoreUnavailableException {
        if (maxPauses == 0) {
            return;
        }
        String record = recordOf(exchange);
        int pauses = pausesByRecord.merge(record, 1, Integer::sum);
        if (pauses > maxPauses) {
            pausesByRecord.remove(record);
            LOG.warn("Kore.ai still failing for this record after {} pauses: dead-lettering it as UNAVAILABLE",
                    maxPauses);
            return;
        }
        LOG.warn("Kore.ai looks unavailable ({}): pausing consumption for {} ms, then retrying this record "
                + "(pause {} of {})", failure.message(), pauseMillis, pauses, maxPauses);
        throw new KoreUnavailableException(failure.message(), pauses, maxPauses);
    }

    /** Forgets a record once it has an outcome. */
    public void settled(Exchange exchange) {
        if (!pausesByRecord.isEmpty()) {
            pausesByRecord.remove(recordOf(exchange));
        }
    }

    public long pauseMillis() {
        return pauseMillis;
    }

    private static String recordOf(Exchange exchange) {
        org.apache.camel.Message original = com.contactlistbridge.event.EventIdResolver.originalMessage(exchange);
        return original.getHeader(KafkaConstants.TOPIC) + "-" + original.getHeader(KafkaConstants.PARTITION) + "-"
                + original.getHeader(KafkaConstants.OFFSET);
    }
}
