package com.contactlistbridge.securedkafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.contactlistbridge.replay.ReplaySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy-paste examples of README "Secured Kafka" are real settings: each properties block, listed first in
 * CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION as the README says, is read by camel-main without an unknown option and
 * gives the Kafka clients the security protocol it names.
 */
class ReadmeExamplesTest {

    private static final Pattern BLOCK = Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ENV = Pattern.compile("\\{\\{env:([A-Z_]+)}}");

    @TempDir
    Path temp;

    @Test
    void everyKafkaSettingsBlockOfTheSecuredKafkaSectionLoadsAsTheBridgeReadsIt() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Secured Kafka\n");
        assertThat(start).isPositive();
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));

        List<String> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(section);
        while (block.find()) {
            if (block.group(1).contains("camel.component.kafka.")) {
                blocks.add(block.group(1));
            }
        }
        assertThat(blocks).as("Confluent Cloud, MSK, private CA, mutual TLS").hasSize(4);

        for (String example : blocks) {
            Path file = Files.writeString(Files.createTempFile(temp, "example", ".properties"), example);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION", "file:" + file + ",file:config/application.properties");
            env.put("KAFKA_BROKERS", "broker.example:9093");
            Matcher variable = ENV.matcher(example);
            while (variable.find()) {
                env.put(variable.group(1), "value-of-" + variable.group(1));
            }

            Map<String, Object> client = ReplaySettings.load(env).consumerConfig();

            Matcher protocol = Pattern.compile("security-protocol = (\\S+)").matcher(example);
            assertThat(client.get("security.protocol")).as(example)
                    .isEqualTo(protocol.find() ? protocol.group(1) : "PLAINTEXT");
        }
    }
}
