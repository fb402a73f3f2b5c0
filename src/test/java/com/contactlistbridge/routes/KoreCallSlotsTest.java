package com.contactlistbridge.routes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KoreCallSlotsTest {

    private final CamelContext context = new DefaultCamelContext();

    private Exchange exchange() {
        return new DefaultExchange(context);
    }

    @Test
    void aRetryKeepsItsSlotAndGivingBackTwiceFreesOneSlot() throws Exception {
        KoreCallSlots slots = new KoreCallSlots(2);
        Exchange event = exchange();
        slots.take(event);
        slots.take(event); // the retry of the same event
        assertThat(slots.inUse()).isEqualTo(1);
        slots.giveBack(event);
        slots.giveBack(event); // the consume-topic route's final give-back after publish-outcome's
        assertThat(slots.inUse()).isZero();
        slots.giveBack(exchange()); // an event that never called Kore.ai
        assertThat(slots.inUse()).isZero();
    }

    @Test
    void anEventWaitsWhileEverySlotIsHeldAndGoesOnWhenOneIsGivenBack() throws Exception {
        KoreCallSlots slots = new KoreCallSlots(1);
        Exchange first = exchange();
        slots.take(first);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                slots.take(exchange());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> waiter.get() != null
                && waiter.get().getState() == Thread.State.WAITING);
        assertThat(second).isNotDone();
        slots.giveBack(first);
        second.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(slots.inUse()).isEqualTo(1);
    }

    /** A worker that runs early does not overtake the records before its own: starts stay in offset order. */
    @Test
    void theRecordsOfABatchTakeTheirSlotsInOffsetOrder() throws Exception {
        KoreCallSlots slots = new KoreCallSlots(1);
        org.apache.kafka.common.TopicPartition partition = new org.apache.kafka.common.TopicPartition("t", 0);
        RecordBatch batch = new RecordBatch(java.util.List.of(new RecordBatch.Position(partition, 0),
                new RecordBatch.Position(partition, 1)), null, Duration.ofSeconds(1));
        Exchange first = record(batch, 0);
        Exchange second = record(batch, 1);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Void> secondTakes = CompletableFuture.runAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                slots.take(second);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // A slot is free, yet the second record waits for the first one's turn.
        await().atMost(Duration.ofSeconds(5)).until(() -> waiter.get() != null
                && waiter.get().getState() == Thread.State.WAITING);
        assertThat(slots.inUse()).isZero();
        slots.take(first);
        assertThat(slots.inUse()).isEqualTo(1);
        assertThat(secondTakes).as("the only slot is the first record's").isNotDone();
        slots.giveBack(first);
        secondTakes.get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(slots.inUse()).isEqualTo(1);
    }

    private Exchange record(RecordBatch batch, int index) {
        Exchange record = exchange();
        record.setProperty(RecordBatches.BATCH, batch);
        record.setProperty(Exchange.SPLIT_INDEX, index);
        return record;
    }

    @Test
    void refusesLessThanOneSlot() {
        assertThatThrownBy(() -> new KoreCallSlots(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bridge.max-in-flight");
    }
}
