package com.contactlistbridge.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.contactlistbridge.config.InvalidSettingsException;
import com.contactlistbridge.testsupport.RunningBridge;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The build-time check of the flows: every routes/*.camel.yaml is loaded by Camel's real YAML route loader together
 * with the bridge's building blocks and start-up checks (routes not started, so no broker is needed); a broken or
 * inconsistent flow file fails, naming the file and the line.
 */
class FlowFilesTest {

    private static final Path SHIPPED = Path.of("routes");
    private static final Path CREATE = SHIPPED.resolve("create-contact-list.camel.yaml");

    @TempDir
    Path temp;

    /** The bridge's context with its flows loaded from {@code pattern}, no route started, no broker, no store. */
    private static RunningBridge load(String pattern) throws Exception {
        Map<String, String> settings = RunningBridge.baseSettings("127.0.0.1:1", "http://127.0.0.1:1", "files");
        settings.put("bridge.dedupe.enabled", "false");
        settings.put("camel.main.auto-startup", "false");
        settings.put("camel.main.routes-include-pattern", pattern);
        return RunningBridge.start(settings);
    }

    @Test
    void everyShippedFlowFileLoadsWithTheRealRouteLoaderAndPassesTheStartUpChecks() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(SHIPPED)) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("create-contact-list.camel.yaml", "add-contacts.camel.yaml");
        try (RunningBridge bridge = load("file:routes/*.camel.yaml")) {
            List<String> sources = bridge.context().getRoutes().stream().map(Route::getSourceLocationShort)
                    .filter(s -> s != null).toList();
            for (Path file : files) {
                assertThat(sources).as("routes loaded from %s", file)
                        .anyMatch(source -> source.contains(file.getFileName().toString()));
            }
            assertThat(bridge.context().getRoutes()).extracting(Route::getRouteId)
                    .contains("consume-requests", "create-contact-list", "create-list-once", "kore-create-contact-list",
                            "consume-add-contacts", "add-contacts", "kore-add-contacts");
            // What ProducerBatchLimit reads the limits of: every flow's outcome and dead-letter topic, resolved.
            assertThat(FlowChecks.publishedTopics(bridge.context())).containsExactlyInAnyOrder("files.created",
                    "files.dlq", "files.add-contacts.done", "files.add-contacts.dlq");
        }
    }

    @Test
    void aBrokenFlowFileFailsTheStartNamingTheFileAndTheLine() throws Exception {
        List<String> lines = Files.readAllLines(CREATE);
        int index = lines.indexOf("      steps:");
        // Line index+1 is the first step; indenting it wrongly breaks the YAML structure.
        lines.set(index + 2, "  " + lines.get(index + 2).stripLeading() + ": [");
        Path broken = temp.resolve("broken.camel.yaml");
        Files.write(broken, lines);

        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .satisfies(e -> assertThat(messages(e)).contains("broken.camel.yaml").containsPattern("line "
                        + "[0-9]+"));
    }

    @Test
    void aFlowThatOptsOutOfTheErrorHandlingIsRefusedAtStartUp() throws Exception {
        String yaml = Files.readString(CREATE).replace("    id: create-contact-list\n",
                "    id: create-contact-list\n    routeConfigurationId: my-own-handling\n");
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), yaml);

        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .satisfies(e -> assertThat(messages(e)).contains("flow create-contact-list")
                        .contains("remove routeConfigurationId and errorHandler"));
    }

    @Test
    void aMisspeltPropertyNameIsRefusedAtStartUpNamingTheFileAndTheLine() throws Exception {
        String yaml = Files.readString(CREATE).replace("name: contactListName", "name: contactListNmae");
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), yaml);

        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("create-contact-list.camel.yaml:")
                .hasMessageContaining("step validate-request (contactListRequestMapper.toRequest) reads the property "
                        + "contactListName, which no step before it sets");
    }

    @Test
    void aKoreCallWithAPathVariableTheFlowDoesNotSetIsRefused() throws Exception {
        String yaml = Files.readString(CREATE).replace("/campaign/contactList/createContactList",
                "/campaign/contactList/{contactListId}");
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), yaml);

        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("has {contactListId} in its path: set the variable contactListId before it");
    }

    @Test
    void aSettingAFlowNamesThatDoesNotExistIsReportedWithItsEnvironmentVariable() throws Exception {
        String yaml = Files.readString(CREATE).replace("{{bridge.topic.dead-letter}}",
                "{{bridge.create-contact-list.topic.dead-letter}}");
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), yaml);

        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("bridge.create-contact-list.topic.dead-letter (env "
                        + "BRIDGE_CREATE_CONTACT_LIST_TOPIC_DEAD_LETTER) is missing: route consume-requests uses it");
    }

    @Test
    void aFlowNameKafkaWouldRefuseAsAStaticMemberIdIsRefusedAtStartUp() throws Exception {
        // The consume-topic block names the flow; its consumer's group.instance.id carries the name, and Kafka allows
        // only letters, digits, '.', '_' and '-' there (its own error would come later, from a consumer thread).
        String yaml = Files.readString(CREATE)
                .replace("value: create-contact-list\n", "value: create contact/list\n")
                .replace("uri: direct:create-contact-list", "uri: direct:create contact/list");
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), yaml);

        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("route consume-requests")
                .hasMessageContaining("the flow name 'create contact/list' may have only letters, digits, '.', '_' "
                        + "and '-' (1 to " + FlowChecks.MAX_FLOW_NAME + " of them)");

        String tooLong = "f".repeat(FlowChecks.MAX_FLOW_NAME + 1);
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), Files.readString(CREATE)
                .replace("value: create-contact-list\n", "value: " + tooLong + "\n")
                .replace("uri: direct:create-contact-list", "uri: direct:" + tooLong));
        assertThatThrownBy(() -> load("file:" + temp + "/*.camel.yaml").close())
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("the flow name '" + tooLong + "' may have only");

        String longest = "f".repeat(FlowChecks.MAX_FLOW_NAME);
        Files.writeString(temp.resolve("create-contact-list.camel.yaml"), Files.readString(CREATE)
                .replace("value: create-contact-list\n", "value: " + longest + "\n")
                .replace("uri: direct:create-contact-list", "uri: direct:" + longest));
        load("file:" + temp + "/*.camel.yaml").close();
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
