package com.contactlistbridge.routes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import com.contactlistbridge.event.EventIdResolver;
import com.contactlistbridge.kore.KoreUnavailableException;
import com.contactlistbridge.ops.BridgeMetrics;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The steps of the consumer route around its concurrent split: opens a polled batch, admits its records, collects
 * their outcomes (as the split's aggregation strategy), commits offsets as outcomes arrive, and closes the batch.
 *
 * <p>Offsets are committed while the batch runs, by one committer thread, when the oldest unfinished record of a
 * partition has moved (at most every {@link #COMMIT_INTERVAL}; moves in between fold into one commit), and once more
 * when the batch ends. The Kafka consumer
 * is used by one thread at a time: its own polling thread waits for the whole split (the split is synchronous), the
 * committer thread commits only while the split runs, and the final commit waits for the committer to finish.
 */
public class RecordBatches implements AggregationStrategy {

    /** Exchange property: the {@link RecordBatch} of the batch exchange and of each of its record exchanges. */
    public static final String BATCH = "bridgeRecordBatch";
    /** Exchange property on a record exchange: it was not started because the batch had stopped. */
    static final String NOT_STARTED = "bridgeRecordNotStarted";
    /** Exchange property on a record exchange: it ended without an outcome. */
    static final String NO_OUTCOME = "bridgeRecordNoOutcome";

    private static final Logger LOG = LoggerFactory.getLogger(RecordBatches.class);
    /** How long the end-of-batch commit is tried again while the broker is unreachable. */
    static final Duration END_COMMIT_PATIENCE = Duration.ofSeconds(60);
    private static final Duration COMMIT_RETRY_PAUSE = Duration.ofMillis(500);
    /**
     * Shortest time between two commits while a batch runs: each commit is a write to the broker's offsets topic, and
     * committing after every event would cost the broker more than the events themselves. What a crash can repeat is
     * the events finished in this window (plus those in flight).
     */
    static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);

    private final BridgeMetrics metrics;
    private final ExecutorService committer;
    private final Supplier<KafkaConfiguration> kafka;

    /**
     * @param committer a single thread that commits offsets while a batch runs
     * @param kafka     the Kafka component's configuration (max.poll.interval.ms, auto.offset.reset), read per batch
     */
    public RecordBatches(BridgeMetrics metrics, ExecutorService committer, Supplier<KafkaConfiguration> kafka) {
        this.metrics = metrics;
        this.committer = committer;
        this.kafka = kafka;
    }

    /**
     * First step of a batch: the body (camel-kafka's batch, a list of one exchange per record) becomes the list of
     * record messages to split, and the batch's bookkeeping is attached to the exchange.
     */
    public void open(Exchange batchExchange) {
        List<?> records = batchExchange.getMessage().getBody(List.class);
        List<Message> messages = new ArrayList<>(records.size());
        List<RecordBatch.Position> positions = new ArrayList<>(records.size());
        Consumer<?, ?> consumer = null;
        Duration commitTimeout = Duration.ofSeconds(5);
        for (Object item : records) {
            Message message = ((Exchange) item).getMessage();
            messages.add(message.copy());
            positions.add(new RecordBatch.Position(new TopicPartition(message.getHeader(KafkaConstants.TOPIC,
                    String.class), message.getHeader(KafkaConstants.PARTITION, Integer.class)),
                    message.getHeader(KafkaConstants.OFFSET, Long.class)));
            if (consumer == null && message.getHeader(KafkaConstants.MANUAL_COMMIT)
                    instanceof DefaultKafkaManualCommit manual) {
                consumer = manual.getCamelExchangePayload().consumer;
                commitTimeout = Duration.ofMillis(manual.getCommitTimeout());
            }
        }
        if (consumer == null && !records.isEmpty()) {
            throw new IllegalStateException("the Kafka batch has no manual commit handle: set "
                    + "camel.component.kafka.allow-manual-commit=true and its DefaultKafkaManualCommitFactory");
        }
        KafkaConfiguration configuration = kafka.get();
        Integer pollInterval = configuration.getMaxPollIntervalMs();
        // Half the poll interval for starting events, half for the slowest of them to finish.
        Duration startWindow = Duration.ofMillis((pollInterval != null ? pollInterval : 300_000) / 2);
        batchExchange.setProperty(BATCH, new RecordBatch(positions, consumer, commitTimeout, startWindow,
                "earliest".equalsIgnoreCase(configuration.getAutoOffsetReset())));
        metrics.consumed(batchExchange.getProperty(ConsumeTopicTemplate.FLOW, String.class), records.size());
        batchExchange.getMessage().setBody(messages);
    }

    /**
     * Filter before a record starts: false once the batch has stopped, the bridge is stopping, or the batch has used
     * its start window (half of max.poll.interval.ms); such a record is read again later.
     */
    public boolean admit(Exchange record) {
        MDC.remove(EventIdResolver.MDC_EVENT_ID);
        RecordBatch batch = batchOf(record);
        if (!batch.stopped()) {
            if (record.getContext().isStopping() || record.getContext().isStopped()) {
                batch.cutOff("the bridge is stopping");
            } else if (batch.startWindowUsed()) {
                batch.cutOff("the batch has run for half of max.poll.interval.ms");
            }
        }
        if (batch.stopped()) {
            record.setProperty(NOT_STARTED, true);
            return false;
        }
        return true;
    }

    /** A record ended without an outcome: its failure stops the batch and is reported when the batch closes. */
    public void failed(Exchange record) {
        Exception cause = record.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        record.setProperty(NO_OUTCOME, true);
        batchOf(record).failed(record.getProperty(Exchange.SPLIT_INDEX, Integer.class),
                cause != null ? cause : new IllegalStateException("record ended without an outcome"));
    }

    /**
     * Called by the split for each finished record, in the batch's order. The batch exchange itself stays the
     * split's result: a record's own state (a dead letter's "handled" mark, say) must not end the batch's route.
     */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange, Exchange batchExchange) {
        collect(newExchange);
        return batchExchange;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        collect(newExchange);
        return oldExchange != null ? oldExchange : newExchange;
    }

    private void collect(Exchange newExchange) {
        RecordBatch batch = batchOf(newExchange);
        Integer index = newExchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (newExchange.getException() != null) {
            batch.failed(index, newExchange.getException());
            newExchange.setException(null);
        } else if (!newExchange.getProperty(NOT_STARTED, false, Boolean.class)
                && !newExchange.getProperty(NO_OUTCOME, false, Boolean.class)) {
            batch.settled(index);
            if (batch.queueCommit()) {
                committer.execute(() -> commitWhileRunning(batch));
            }
        }
    }

    /**
     * Last step of a batch, on the consumer's thread: commits every partition up to its first record without an
     * outcome, then fails the batch with the first record's failure, if any (the consumer then resumes from the
     * committed offsets: after a pause for a Kore.ai outage, or at once). A commit that keeps failing fails the batch
     * too.
     */
    public void close(Exchange batchExchange) throws Exception {
        RecordBatch batch = batchExchange.getProperty(BATCH, RecordBatch.class);
        if (batch == null) {
            return;
        }
        try {
            // The committer's last commit, if any, finishes before this thread uses the consumer again.
            batch.ending();
            committer.submit(() -> { }).get();
        } catch (ExecutionException e) {
            LOG.debug("offset committer task failed", e);
        }
        commitAtEnd(batch);
        Exception failure = batch.failure();
        if (failure == null && batch.cutOffReason() != null) {
            failure = new BatchCutOffException(batch.cutOffReason());
        }
        if (failure != null) {
            // The consumer may have fetched past this batch (camel-kafka drops the rest of a poll after a failed
            // batch, and a paused consumer resumes only partitions with a committed offset): put every assigned
            // partition back at its first record without an outcome, so no record is skipped.
            batch.rewind();
            logFailure(failure);
            throw failure;
        }
    }

    /**
     * One line per failed batch, without a stack trace (that at DEBUG); camel-kafka's own lines about it are kept
     * quiet in logback.xml. A Kore.ai outage pause is already logged by the outage policy.
     */
    private static void logFailure(Exception failure) {
        if (causedBy(failure, KoreUnavailableException.class)) {
            LOG.debug("Batch held back for a Kore.ai outage", failure);
        } else if (failure instanceof BatchCutOffException || causedBy(failure, AbandonedOnShutdownException.class)) {
            LOG.info("Batch stopped early ({}); the events it did not finish are read again", failure.getMessage());
            LOG.debug("Batch stopped early", failure);
        } else {
            LOG.warn("An event ended without an outcome ({}); consumption resumes at its offset", failure.toString());
            LOG.debug("Event without an outcome", failure);
        }
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The batch's last commit. A retriable failure (the broker unreachable for a while) is tried again for up to
     * {@link #END_COMMIT_PATIENCE}: the outcomes are stored, and giving up would leave their offsets uncommitted until
     * the next batch, or read them again. Any other failure (e.g. the partitions were reassigned) fails the batch: the
     * consumer then resumes from the committed offsets, and the events after them are answered from the processed
     * events or dead-lettered again (at-least-once).
     */
    private static void commitAtEnd(RecordBatch batch) {
        long deadline = System.nanoTime() + END_COMMIT_PATIENCE.toNanos();
        while (true) {
            try {
                batch.commitSettled();
                return;
            } catch (RetriableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.warn("Could not commit offsets after the outcomes were stored ({}); trying again",
                        e.getMessage());
                // Most such failures took the commit timeout already; this keeps quick ones from spinning.
                LockSupport.parkNanos(COMMIT_RETRY_PAUSE.toNanos());
            }
        }
    }

    private static void commitWhileRunning(RecordBatch batch) {
        try {
            batch.awaitCommitDue(COMMIT_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        batch.dequeued();
        if (batch.isEnding()) {
            // The end-of-batch commit covers it.
            return;
        }
        try {
            batch.commitSettled();
        } catch (RuntimeException e) {
            LOG.debug("offset commit during the batch failed ({}); the batch commits again when it ends",
                    e.getMessage());
        }
    }

    private static RecordBatch batchOf(Exchange exchange) {
        RecordBatch batch = exchange.getProperty(BATCH, RecordBatch.class);
        if (batch == null) {
            throw new IllegalStateException("record exchange without its batch (property " + BATCH + ")");
        }
        return batch;
    }
}
