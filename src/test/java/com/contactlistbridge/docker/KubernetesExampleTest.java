package com.contactlistbridge.docker;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.contactlistbridge.replay.ReplaySettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No cluster runs kubernetes/contact-list-bridge.yaml in the build, so this test keeps it consistent with the code:
 * settings names, the files its settings name and the secrets mounted there, and what the bridge makes of its
 * ConfigMap (read the way the bridge reads it, with the Secret's file resolved by Kafka's FileConfigProvider).
 */
class KubernetesExampleTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern FILE_REFERENCE = Pattern.compile("\\$\\{file:([^:}]+):([^}]+)}");

    private static Properties defaults;
    private static Map<String, Map<String, Object>> documents;
    private static Map<String, Object> container;

    @TempDir
    Path temp;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        defaults = new Properties();
        defaults.load(new StringReader(Files.readString(ROOT.resolve("config/application.properties"))));
        documents = new LinkedHashMap<>();
        for (Object document : new Load(LoadSettings.builder().build())
                .loadAllFromString(Files.readString(ROOT.resolve("kubernetes/contact-list-bridge.yaml")))) {
            Map<String, Object> resource = (Map<String, Object>) document;
            String name = String.valueOf(((Map<String, Object>) resource.get("metadata")).get("name"));
            documents.put(resource.get("kind") + "/" + name, resource);
        }
        container = containers().get(0);
    }

    @Test
    void holdsOneDeploymentWithItsConfigMapAndSecrets() {
        assertThat(documents).containsOnlyKeys("Secret/contact-list-bridge-kafka", "Secret/contact-list-bridge-kore",
                "ConfigMap/contact-list-bridge-kafka-security", "Deployment/contact-list-bridge");
        assertThat(containers()).hasSize(1);
    }

    @Test
    void environmentSetsKnownSettingsEveryRequiredOneAndNoSecret() {
        Map<String, String> env = environment();
        Map<String, String> propertyByEnvName = new LinkedHashMap<>();
        defaults.stringPropertyNames().forEach(key -> propertyByEnvName.put(envName(key), key));

        assertThat(env.keySet()).allSatisfy(name -> assertThat(name).satisfiesAnyOf(
                known -> assertThat(propertyByEnvName).containsKey(known),
                location -> assertThat(location).isEqualTo("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION")));
        assertThat(env).containsKeys("KAFKA_BROKERS", "KORE_STREAM_ID", "KORE_ACCOUNT_ID", "KORE_IID",
                "KORE_CLIENT_ID", "KORE_CLIENT_SECRET_FILE");
        assertThat(env).as("secrets come as files").doesNotContainKey("KORE_CLIENT_SECRET");
        assertThat(env.keySet()).noneMatch(name -> name.endsWith("_PORT") || name.startsWith("CAMEL_COMPONENT_"));
    }

    @Test
    void everyFileTheSettingsNameIsMountedFromItsSecretOrConfigMap() throws IOException {
        assertThat(mountedContent(environment().get("KORE_CLIENT_SECRET_FILE"))).isNotBlank();

        List<String> locations = List.of(environment().get("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION").split(","));
        assertThat(locations).hasSize(2);
        assertThat(locations.get(1)).as("the image's defaults, relative to its WORKDIR /app")
                .isEqualTo("file:config/application.properties");
        String kafkaSecurity = mountedContent(locations.get(0).substring("file:".length()));
        assertThat(kafkaSecurity).isEqualTo(kafkaSecurityProperties());

        Matcher reference = FILE_REFERENCE.matcher(kafkaSecurity.lines().filter(line -> !line.startsWith("#"))
                .reduce("", (a, b) -> a + b + "\n"));
        int references = 0;
        while (reference.find()) {
            Properties secretFile = new Properties();
            secretFile.load(new StringReader(mountedContent(reference.group(1))));
            assertThat(secretFile).as(reference.group()).containsKey(reference.group(2));
            references++;
        }
        assertThat(references).isPositive();
    }

    @Test
    void theBridgeReadsTheConfigMapAsSaslSslScramWithTheSecretsCredentials() throws IOException {
        // The mounted secret directory, here: the Secret's files under a temp dir.
        @SuppressWarnings("unchecked")
        Map<String, String> secretFiles = (Map<String, String>) documents.get("Secret/contact-list-bridge-kafka")
                .get("stringData");
        for (Map.Entry<String, String> file : secretFiles.entrySet()) {
            Files.writeString(temp.resolve(file.getKey()), file.getValue());
        }
        String mountPath = mountPathOf("contact-list-bridge-kafka");
        Path properties = Files.writeString(temp.resolve("kafka-security.properties"),
                kafkaSecurityProperties().replace(mountPath + "/", temp + "/"));

        ReplaySettings settings = ReplaySettings.load(Map.of("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION",
                "file:" + properties + ",file:config/application.properties", "KAFKA_BROKERS", "b-1.example:9096"));

        assertThat(settings.consumerConfig())
                .containsEntry("bootstrap.servers", "b-1.example:9096")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        // What a Kafka client makes of it: the provider reads the JAAS line from the secret file.
        ConsumerConfig client = new ConsumerConfig(settings.consumerConfig());
        assertThat(client.getPassword("sasl.jaas.config").value())
                .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required username=")
                .endsWith(";");
    }

    @Test
    @SuppressWarnings("unchecked")
    void probesUseTheManagementPortAndThePodRunsLikeTheImage() {
        String port = defaults.getProperty("camel.management.port").strip();
        List<Map<String, Object>> ports = (List<Map<String, Object>>) container.get("ports");
        assertThat(ports).singleElement().satisfies(p -> {
            assertThat(String.valueOf(p.get("containerPort"))).isEqualTo(port);
            assertThat(p.get("name")).isEqualTo("management");
        });
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
            assertThat(get.get("port")).as(probe).isEqualTo("management");
            assertThat(String.valueOf(get.get("path"))).as(probe).startsWith("/observe/health/");
        }
        assertThat(((Map<String, Object>) ((Map<String, Object>) container.get("readinessProbe")).get("httpGet"))
                .get("path")).isEqualTo("/observe/health/ready");

        Map<String, Object> pod = podSpec();
        assertThat(((Map<String, Object>) pod.get("securityContext")).get("runAsUser")).as("the image's USER")
                .isEqualTo(10001);
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).as("outlasts camel.main.shutdown-timeout")
                .isGreaterThan(Integer.parseInt(defaults.getProperty("camel.main.shutdown-timeout").strip()));
        assertThat(((Map<String, Object>) container.get("securityContext")).get("readOnlyRootFilesystem"))
                .isEqualTo(true);
        assertThat(mountPaths()).as("a writable /tmp for the read-only root file system").containsKey("/tmp");
    }

    // ---------------------------------------------------------------- helpers

    private static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec() {
        Map<String, Object> deployment = documents.get("Deployment/contact-list-bridge");
        Map<String, Object> template = (Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
                .get("template");
        return (Map<String, Object>) template.get("spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> containers() {
        return (List<Map<String, Object>>) podSpec().get("containers");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : (List<Map<String, Object>>) container.get("env")) {
            env.put(String.valueOf(variable.get("name")), String.valueOf(variable.get("value")));
        }
        return env;
    }

    /** mountPath -> the ConfigMap's or Secret's name mounted there. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> mountPaths() {
        Map<String, String> sourceByVolume = new LinkedHashMap<>();
        for (Map<String, Object> volume : (List<Map<String, Object>>) podSpec().get("volumes")) {
            Object source = volume.containsKey("secret")
                    ? ((Map<String, Object>) volume.get("secret")).get("secretName")
                    : volume.containsKey("configMap") ? ((Map<String, Object>) volume.get("configMap")).get("name")
                    : "emptyDir";
            sourceByVolume.put(String.valueOf(volume.get("name")), String.valueOf(source));
        }
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Map<String, Object> mount : (List<Map<String, Object>>) container.get("volumeMounts")) {
            mounts.put(String.valueOf(mount.get("mountPath")), sourceByVolume.get(String.valueOf(mount.get("name"))));
        }
        return mounts;
    }

    private static String mountPathOf(String source) {
        return mountPaths().entrySet().stream().filter(entry -> entry.getValue().equals(source))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError(source + " is not mounted"));
    }

    /** The content of a file in the pod: a key of the Secret or ConfigMap mounted at its directory. */
    @SuppressWarnings("unchecked")
    private static String mountedContent(String file) {
        Path path = Path.of(file);
        String source = mountPaths().get(String.valueOf(path.getParent()));
        assertThat(source).as("a volume mounted at " + path.getParent()).isNotNull();
        Map<String, Object> resource = documents.containsKey("Secret/" + source) ? documents.get("Secret/" + source)
                : documents.get("ConfigMap/" + source);
        assertThat(resource).as(source).isNotNull();
        Map<String, String> files = (Map<String, String>) resource.getOrDefault("stringData", resource.get("data"));
        assertThat(files).as(source).containsKey(String.valueOf(path.getFileName()));
        return files.get(String.valueOf(path.getFileName()));
    }

    @SuppressWarnings("unchecked")
    private static String kafkaSecurityProperties() {
        return ((Map<String, String>) documents.get("ConfigMap/contact-list-bridge-kafka-security").get("data"))
                .get("kafka-security.properties");
    }
}
