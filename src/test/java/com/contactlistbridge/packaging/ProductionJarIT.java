package com.contactlistbridge.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.contactlistbridge.testsupport.Measured;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jars after {@code package}: the production jar holds no demo kit (no Kafka broker, Scala, ZooKeeper,
 * no sandbox or demo classes, none of the broker's CVE-carrying extras), its SBOM says the same, and the demo still
 * runs from the production jar, quietly, and fails clearly when its kit is not beside it.
 */
class ProductionJarIT {

    private static final Path JAR = Path.of(System.getProperty("bridge.jar", "target/contact-list-bridge.jar"));
    private static final Path DEMO_JAR = Path.of(System.getProperty("bridge.demo.jar",
            "target/contact-list-bridge-demo.jar"));
    private static final Path SBOM = Path.of(System.getProperty("bridge.sbom", "target/contact-list-bridge-sbom.json"));

    /** Class files of the demo kit and of what the broker brings; any of them in the production jar fails the build. */
    private static final Pattern FORBIDDEN_CLASSES = Pattern.compile("^("
            + "com/contactlistbridge/(embedded|sandbox|demo)/"   // the demo kit itself
            + "|kafka/"                                          // the broker (kafka_2.13, Scala)
            + "|org/apache/kafka/(metadata|raft|storage|server/common|server/config|server/log|coordinator)/"
            + "|scala/"
            + "|org/apache/zookeeper/"
            + "|org/apache/commons/beanutils/"                   // commons-beanutils 1.9.4 (CVE)
            + "|org/jose4j/"                                     // jose4j 0.9.4 (CVE)
            + ").*\\.class$");
    /** Maven coordinates (META-INF/maven/group/artifact/) of the broker and its companions. */
    private static final List<String> FORBIDDEN_ARTIFACTS = List.of("org.apache.kafka/kafka_2.13",
            "org.apache.kafka/kafka-metadata", "org.apache.kafka/kafka-server-common", "org.apache.kafka/kafka-raft",
            "org.scala-lang/", "org.apache.zookeeper/", "commons-beanutils/", "org.bitbucket.b_c/jose4j");

    @TempDir
    Path temp;

    @Test
    void theProductionJarHoldsNoDemoKitAndNoBroker() throws IOException {
        List<String> forbidden = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            jar.stream().map(JarEntry::getName).forEach(entries::add);
        }
        for (String name : entries) {
            if (FORBIDDEN_CLASSES.matcher(name).matches()
                    || FORBIDDEN_ARTIFACTS.stream().anyMatch(a -> name.startsWith("META-INF/maven/" + a))) {
                forbidden.add(name);
            }
        }
        assertThat(forbidden).as("demo kit or broker entries in " + JAR).isEmpty();
        assertThat(entries).as("the bridge and its own dependencies are there").contains(
                "com/contactlistbridge/Application.class", "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                "org/apache/camel/main/Main.class");
    }

    @Test
    void theProductionJarCarriesAFixedLogback() throws IOException {
        Properties logback = new Properties();
        try (JarFile jar = new JarFile(JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry(
                     "META-INF/maven/ch.qos.logback/logback-classic/pom.properties"))) {
            logback.load(in);
        }
        assertThat(atLeast(logback.getProperty("version"), 1, 5, 19)).as("logback-classic " + logback).isTrue();
    }

    @Test
    void theSbomListsWhatTheProductionJarHoldsAndNothingOfTheDemoKit() throws IOException {
        JsonNode bom = new ObjectMapper().readTree(SBOM.toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        List<String> components = new ArrayList<>();
        bom.path("components").forEach(c -> components.add(c.path("group").asText() + ":" + c.path("name").asText()
                + ":" + c.path("version").asText()));
        assertThat(components).anyMatch(c -> c.startsWith("org.apache.camel:camel-main:"))
                .anyMatch(c -> c.startsWith("org.apache.kafka:kafka-clients:"))
                .noneMatch(c -> c.startsWith("org.apache.kafka:kafka_2.13:") || c.startsWith("org.scala-lang:")
                        || c.startsWith("org.apache.zookeeper:") || c.startsWith("commons-beanutils:")
                        || c.startsWith("org.bitbucket.b_c:jose4j:") || c.contains(":junit-"))
                .filteredOn(c -> c.startsWith("ch.qos.logback:logback-classic:")).singleElement()
                .satisfies(c -> assertThat(atLeast(c.substring(c.lastIndexOf(':') + 1), 1, 5, 19)).isTrue());
    }

    @Test
    void theDemoJarHoldsOnlyTheDemoKit() throws IOException {
        List<String> classes = new ArrayList<>();
        try (JarFile jar = new JarFile(DEMO_JAR.toFile())) {
            jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(classes::add);
        }
        assertThat(classes).contains("com/contactlistbridge/demo/DemoMain.class",
                "com/contactlistbridge/embedded/EmbeddedKafkaBroker.class",
                "com/contactlistbridge/sandbox/KoreSandbox.class")
                .allMatch(n -> n.matches("com/contactlistbridge/(embedded|sandbox|demo)/.*"));
        assertThat(DEMO_JAR.resolveSibling("demo-lib").resolve("kafka_2.13-3.9.1.jar")).isRegularFile();
    }

    @Test
    void theDemoRunsFromTheProductionJarAndPrintsOnlyItsOwnLines() throws Exception {
        Path output = temp.resolve("demo.txt");
        Process demo = new ProcessBuilder(java(), "-jar", JAR.toString(), "demo").redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        assertThat(demo.waitFor(180, TimeUnit.SECONDS)).as("demo finished").isTrue();
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(demo.exitValue()).as(text).isZero();
        assertThat(text).contains("[demo] summary: 12 events, 3 created, 9 dead-lettered {INVALID_EVENT=9}, "
                + "0 without outcome").contains("demo --keep-running").contains("/observe/metrics");
        assertThat(text.lines().toList()).as("framework logs stay quiet without --verbose")
                .allMatch(line -> line.startsWith("[demo] "));
        // Every sample's own outcome: each valid one created, each invalid one dead-lettered.
        List<Path> samples;
        try (Stream<Path> files = Files.list(Path.of("examples", "events"))) {
            samples = files.sorted().toList();
        }
        int valid = 0;
        for (Path sample : samples) {
            String name = sample.getFileName().toString();
            if (name.startsWith("valid-")) {
                valid++;
                String eventId = new ObjectMapper().readTree(sample.toFile()).get("eventId").asText();
                assertThat(text).as(name).containsPattern("CREATED +" + Pattern.quote(eventId)
                        + " -> cl-[0-9a-f-]{36} ");
            } else {
                assertThat(text).as(name).containsPattern("DEAD-LETTER " + Pattern.quote(demoEventId(sample))
                        + " -> INVALID_EVENT: \\S");
            }
        }
        assertThat(valid).as("valid samples").isEqualTo(3);
        assertThat(samples).as("samples").hasSize(12);
        // The second flow, against the lists just created in the sandbox.
        assertThat(text).contains("CONTACTS    crm-0101 -> 3 contact(s) queued for \"Renewal Due 1- July 2025\"")
                .containsPattern("DEAD-LETTER crm-bad-101 -> INVALID_EVENT: contacts\\[0]\\.phoneNumber")
                .containsPattern("DEAD-LETTER crm-bad-102 -> INVALID_EVENT: contacts has 0 entries")
                .contains("summary: 3 events, 1 done, 2 dead-lettered {INVALID_EVENT=2}, 0 without outcome");
        Matcher summary = Pattern.compile("\\[demo] summary: .*").matcher(text);
        if (summary.find()) {
            Measured.keep("PACKAGED-JAR-TEST demo " + summary.group());
        }
    }

    /**
     * The event id the demo reports for a sample: its eventId when readable, else the record key, which the demo makes
     * from the file name without its extension.
     */
    private static String demoEventId(Path sample) {
        try {
            JsonNode event = new ObjectMapper().readTree(sample.toFile());
            if (event != null && event.isObject() && event.path("eventId").isTextual()) {
                return event.get("eventId").asText();
            }
        } catch (IOException unreadable) {
            // not JSON: the demo falls back to the record key
        }
        String name = sample.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }

    @Test
    void withoutItsKitBesideItTheProductionJarSaysWhereTheDemoIs() throws Exception {
        Path lonely = Files.copy(JAR, temp.resolve(JAR.getFileName()));
        Path output = temp.resolve("lonely.txt");
        Process demo = new ProcessBuilder(java(), "-jar", lonely.toString(), "demo").redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(demo.exitValue()).isEqualTo(2);
        assertThat(Files.readString(output)).contains("not part of the production jar")
                .contains("contact-list-bridge-demo.jar").contains("./mvnw -B -q package -DskipTests");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean atLeast(String version, int... minimum) {
        String[] parts = version.split("[.-]");
        for (int i = 0; i < minimum.length; i++) {
            int part = i < parts.length && parts[i].matches("\\d+") ? Integer.parseInt(parts[i]) : 0;
            if (part != minimum[i]) {
                return part > minimum[i];
            }
        }
        return true;
    }
}
