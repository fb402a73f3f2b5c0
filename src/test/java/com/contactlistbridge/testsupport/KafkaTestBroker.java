package com.contactlistbridge.testsupport;

import com.contactlistbridge.embedded.EmbeddedKafkaBroker;

/**
 * The one embedded Kafka broker shared by all tests of a test JVM, started on first use and closed when the JVM exits.
 *
 * <p>Starting a broker costs about two seconds, so tests share it; isolation comes from topics instead: every test
 * class creates its own, uniquely named topics with {@link EmbeddedKafkaBroker#createTopics(int, String...)}.
 * Auto-creation of topics is off so that a misspelt topic name fails loudly instead of silently creating a topic.
 * Tests must not stop or close the shared broker; tests of stop/restart start their own.
 */
public final class KafkaTestBroker {

    private KafkaTestBroker() {
    }

    /**
     * A topic prefix no other test of this JVM uses, e.g. {@code delivery-dlq-3f9a0c1e}: a test's topics
     * ({@code <prefix>.create}, {@code .created}, ...) and consumer group then hold only its own records, also when
     * it runs twice in one JVM (a re-run, a repeated test).
     */
    public static String uniquePrefix(String name) {
        return name + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates a bridge's three topics ({@code .create}, {@code .created}, {@code .dlq}, one partition each) under a
     * {@link #uniquePrefix(String) unique prefix} on the shared broker, and returns the prefix.
     */
    public static String freshTopics(String name) {
        String prefix = uniquePrefix(name);
        get().createTopics(1, prefix + ".create", prefix + ".created", prefix + ".dlq");
        return prefix;
    }

    /** Returns the shared broker, starting it on the first call. */
    public static EmbeddedKafkaBroker get() {
        return Holder.BROKER;
    }

    /** Lazy, thread-safe initialisation by the JVM's class initialisation lock (initialization-on-demand holder). */
    private static final class Holder {
        private static final EmbeddedKafkaBroker BROKER = startShared();

        private static EmbeddedKafkaBroker startShared() {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(false);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-test-broker-shutdown"));
            return broker;
        }
    }
}
