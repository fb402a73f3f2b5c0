package com.contactlistbridge.routes;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One polled batch of input records while its records are processed concurrently: which of them have their outcome
 * acknowledged, whether the batch has stopped, and which offsets may be committed.
 *
 * <p>The delivery contract lives here: the offset committed for a partition is always the first offset of that
 * partition in the batch that has no acknowledged outcome yet (or the end of the batch), so an offset is committed
 * only when it and every earlier offset of its partition have their outcome. Records of one partition may finish
 * in any order; commits never run ahead of the oldest unfinished one.
 */
final class RecordBatch {

    /** Where one record of the batch came from. */
    record Position(TopicPartition partition, long offset) {
    }

    private final List<Position> positions;
    private final boolean[] settled;
    private final Consumer<?, ?> consumer;
    private final Duration commitTimeout;
    /** The next offset already committed, per partition. Guarded by {@code this}. */
    private final Map<TopicPartition, Long> committed = new LinkedHashMap<>();
    private final AtomicBoolean commitQueued = new AtomicBoolean();
    /** System.nanoTime() of the last commit started while the batch runs (0: none yet). */
    private final java.util.concurrent.atomic.AtomicLong lastCommitNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean stopped;
    private volatile boolean ending;
    private volatile String cutOffReason;
    private final long openedNanos = System.nanoTime();
    private final Duration startWindow;
    private final boolean resetToEarliest;
    /** The failure of the lowest-numbered record that ended without an outcome. Guarded by {@code this}. */
    private Exception failure;
    private int failureIndex = Integer.MAX_VALUE;
    /** The index of the record whose turn it is to take a call slot (see {@link #awaitTurn}). Guarded by turns. */
    private int turn;
    private final Object turns = new Object();

    RecordBatch(List<Position> positions, Consumer<?, ?> consumer, Duration commitTimeout) {
        this(positions, consumer, commitTimeout, Duration.ofDays(1), true);
    }

    /**
     * @param startWindow     how long the batch may start records; later ones are left for the next poll
     * @param resetToEarliest the consumer's auto.offset.reset is earliest: a partition without a committed offset is
     *                        rewound to its beginning
     */
    RecordBatch(List<Position> positions, Consumer<?, ?> consumer, Duration commitTimeout, Duration startWindow,
                boolean resetToEarliest) {
        this.positions = List.copyOf(positions);
        this.settled = new boolean[positions.size()];
        this.consumer = consumer;
        this.commitTimeout = commitTimeout;
        this.startWindow = startWindow;
        this.resetToEarliest = resetToEarliest;
    }

    int size() {
        return positions.size();
    }

    /**
     * Waits until every record before this one (splitter's index) has passed {@link #passTurn}: the batch's records
     * take their call slots in offset order, whichever worker thread happens to run first. Records are handed to the
     * workers in order, so the records before this one are already running.
     */
    void awaitTurn(int index) throws InterruptedException {
        synchronized (turns) {
            while (turn < index) {
                turns.wait();
            }
        }
    }

    /** The record whose turn it was has its slot (or gave up waiting): the next one may take one. */
    void passTurn() {
        synchronized (turns) {
            turn++;
            turns.notifyAll();
        }
    }

    /** The record at this index (the splitter's index) has its outcome acknowledged. */
    synchronized void settled(int index) {
        settled[index] = true;
    }

    /**
     * The record at this index ended without an outcome (held back for a Kore.ai outage, outcome not publishable,
     * bridge stopping): the batch stops starting records, and the record is read again later.
     */
    synchronized void failed(int index, Exception cause) {
        stopped = true;
        if (index < failureIndex) {
            failureIndex = index;
            failure = cause;
        }
    }

    /** True once a record ended without an outcome: the records not started yet are left for a later poll. */
    boolean stopped() {
        return stopped;
    }

    /** True once the batch has run for its whole start window. */
    boolean startWindowUsed() {
        return System.nanoTime() - openedNanos >= startWindow.toNanos();
    }

    /** Starts no further record (the bridge is stopping, or the start window is used); they are read again later. */
    void cutOff(String reason) {
        if (cutOffReason == null) {
            cutOffReason = reason;
        }
        stopped = true;
    }

    /** Why the batch stopped starting records without a failure, or null. */
    String cutOffReason() {
        return cutOffReason;
    }

    /**
     * Puts every partition assigned to the consumer back at its first record without an outcome: for a partition of
     * this batch, its first unsettled offset (or the batch's end); for any other, its committed offset, or its
     * beginning when it has none and auto.offset.reset is earliest. Runs on the consumer's polling thread.
     */
    void rewind() {
        if (consumer == null) {
            return;
        }
        Map<TopicPartition, Long> next = firstUnsettled();
        for (TopicPartition partition : consumer.assignment()) {
            Long offset = next.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset);
                continue;
            }
            try {
                OffsetAndMetadata committed = consumer.committed(java.util.Set.of(partition), commitTimeout)
                        .get(partition);
                if (committed != null) {
                    consumer.seek(partition, committed.offset());
                } else if (resetToEarliest) {
                    consumer.seekToBeginning(List.of(partition));
                }
            } catch (RuntimeException e) {
                // The broker is away: the consumer reconnects and resumes from the committed offsets anyway.
            }
        }
    }

    /** The failure to report for the batch, or null when every started record has its outcome. */
    synchronized Exception failure() {
        return failure;
    }

    /** True when no commit started within the interval (the first one of a batch is always due). */
    boolean commitDue(Duration interval) {
        long last = lastCommitNanos.get();
        return last == 0 || System.nanoTime() - last >= interval.toNanos();
    }

    /**
     * Waits until a commit is due or the batch is ending: a queued commit is delayed, never dropped, so the last moves
     * of a batch that still runs are committed too.
     */
    synchronized void awaitCommitDue(Duration interval) throws InterruptedException {
        while (!ending && !commitDue(interval)) {
            long waitNanos = interval.toNanos() - (System.nanoTime() - lastCommitNanos.get());
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, waitNanos));
        }
    }

    /** The batch's end commit follows: a commit still waiting for its interval is not needed any more. */
    synchronized void ending() {
        ending = true;
        notifyAll();
    }

    boolean isEnding() {
        return ending;
    }

    /** True when a commit should be queued (none is queued yet); the queued commit must call {@link #dequeued()}. */
    boolean queueCommit() {
        return commitQueued.compareAndSet(false, true);
    }

    void dequeued() {
        lastCommitNanos.set(System.nanoTime());
        commitQueued.set(false);
    }

    /**
     * Commits every partition up to its first record without an outcome, if that moved since the last commit.
     * Synchronous: returns once Kafka has stored the offsets. Callers make sure only one thread uses the consumer at
     * a time.
     *
     * @return the offsets committed (empty when nothing moved)
     */
    Map<TopicPartition, OffsetAndMetadata> commitSettled() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable();
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets, commitTimeout);
            synchronized (this) {
                offsets.forEach((partition, offset) -> committed.merge(partition, offset.offset(), Math::max));
            }
        }
        return offsets;
    }

    /**
     * Per partition, the first offset without an outcome (the next one to read), where it moved past the last commit.
     * A partition whose first record has no outcome yet is included too, at that record's offset: camel-kafka resumes
     * a paused consumer from the committed offsets and does not seek at all for a partition without one, which would
     * skip a held-back record.
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        firstUnsettled().forEach((partition, offset) -> {
            if (offset > committed.getOrDefault(partition, -1L)) {
                offsets.put(partition, new OffsetAndMetadata(offset));
            }
        });
        return offsets;
    }

    /** Per partition of the batch, its first offset without an outcome (or the offset after the batch's last). */
    private synchronized Map<TopicPartition, Long> firstUnsettled() {
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        Map<TopicPartition, Boolean> blocked = new LinkedHashMap<>();
        for (int i = 0; i < positions.size(); i++) {
            Position position = positions.get(i);
            next.putIfAbsent(position.partition(), position.offset());
            if (blocked.getOrDefault(position.partition(), false)) {
                continue;
            }
            if (settled[i]) {
                next.put(position.partition(), position.offset() + 1);
            } else {
                blocked.put(position.partition(), true);
            }
        }
        return next;
    }
}
