package com.contactlistbridge.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the demo entry point end to end (its own broker, sandbox and bridge) and checks what it prints. */
class DemoRunnerTest {

    @Test
    void demoCreatesEveryValidSampleAndDeadLettersEveryInvalidOne() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = new DemoRunner(new PrintStream(buffer, true, StandardCharsets.UTF_8), false).run();
        String output = buffer.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(output).isZero();
        List<Path> samples;
        try (Stream<Path> files = Files.list(DemoRunner.EXAMPLES)) {
            samples = files.sorted().toList();
        }
        int valid = 0;
        int invalid = 0;
        for (Path sample : samples) {
            String name = sample.getFileName().toString();
            if (name.startsWith("valid-")) {
                valid++;
                String eventId = new ObjectMapper().readTree(sample.toFile()).get("eventId").asText();
                assertThat(output).as(name).containsPattern("CREATED +" + eventId + " -> cl-[0-9a-f-]{36} ");
            } else {
                invalid++;
                assertThat(output).as(name).containsPattern("DEAD-LETTER " + expectedEventId(sample)
                        + " -> INVALID_EVENT: \\S");
            }
        }
        assertThat(valid).isEqualTo(3);
        assertThat(invalid).isEqualTo(9);
        assertThat(output).contains("summary: 12 events, 3 created, 9 dead-lettered {INVALID_EVENT=9}, "
                + "0 without outcome");
        assertThat(output).contains("Kore.ai SANDBOX (not Kore.ai)");
        // The second flow, against the lists just created in the sandbox.
        assertThat(output).contains("CONTACTS    crm-0101 -> 3 contact(s) queued for \"Renewal Due 1- July 2025\"")
                .containsPattern("DEAD-LETTER crm-bad-101 -> INVALID_EVENT: contacts\\[0]\\.phoneNumber")
                .containsPattern("DEAD-LETTER crm-bad-102 -> INVALID_EVENT: contacts has 0 entries")
                .contains("summary: 3 events, 1 done, 2 dead-lettered {INVALID_EVENT=2}, 0 without outcome");
    }

    /** The event id the bridge reports: eventId when the sample has a readable one, else the key (file name). */
    private static String expectedEventId(Path sample) {
        try {
            JsonNode event = new ObjectMapper().readTree(sample.toFile());
            if (event != null && event.isObject() && event.path("eventId").isTextual()) {
                return event.get("eventId").asText();
            }
        } catch (Exception unreadable) {
            // not JSON: the bridge falls back to the record key
        }
        return DemoRunner.keyOf(sample);
    }
}
