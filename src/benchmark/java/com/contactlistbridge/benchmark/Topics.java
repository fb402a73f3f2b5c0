package com.contactlistbridge.benchmark;

/**
 * Fresh topics and a consumer group for one contender in one run, so runs never see each other's records. The names
 * follow {@code RunningBridge.baseSettings}: {@code <prefix>.create}, {@code .created}, {@code .dlq},
 * {@code .processed}, the add-contacts flow's {@code .add-contacts}, {@code .add-contacts.done},
 * {@code .add-contacts.dlq}, and the group {@code <prefix>-group}.
 */
record Topics(String prefix, String requests, String created, String deadLetter, String processed,
              String addContactsRequests, String addContactsDone, String addContactsDeadLetter, String group) {

    static Topics forPrefix(String prefix) {
        return new Topics(prefix, prefix + ".create", prefix + ".created", prefix + ".dlq", prefix + ".processed",
                prefix + ".add-contacts", prefix + ".add-contacts.done", prefix + ".add-contacts.dlq",
                prefix + "-group");
    }

    /** The topics a deployed bridge finds in place (the processed-events topic is created separately, compacted). */
    String[] plain() {
        return new String[] {requests, created, deadLetter, addContactsRequests, addContactsDone,
                addContactsDeadLetter};
    }
}
