package com.contactlistbridge.benchmark;

/** Fresh topics and a consumer group for one contender in one scenario, so runs never see each other's records. */
record Topics(String prefix, String requests, String created, String deadLetter, String processed, String group) {

    static Topics forPrefix(String prefix) {
        return new Topics(prefix, prefix + ".create", prefix + ".created", prefix + ".dlq", prefix + ".processed",
                prefix + "-group");
    }
}
