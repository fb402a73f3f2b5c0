package com.contactlistbridge.benchmark;

/** One implementation of the contract under measurement: the bridge or the hand-written baseline. */
interface Contender extends AutoCloseable {

    /** "bridge" or "baseline". */
    String name();

    /** Starts consuming; returns once the contender is up (it may still be joining its consumer group). */
    void start() throws Exception;

    @Override
    void close() throws Exception;

    /**
     * What a contender needs to run: where Kafka and the stub are, its topics, and the settings both contenders
     * share in a scenario.
     *
     * @param maxPollRecords max.poll.records, or null to leave the bridge's own default (the baseline then uses
     *                       the value from config/application.properties)
     * @param requestsPerMinute Kore.ai request budget, 0 = unlimited
     */
    record Config(String brokers, String koreBaseUrl, Topics topics, int inFlight, Integer maxPollRecords,
                  int requestsPerMinute) {
    }
}
