package com.contactlistbridge.docker;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.replay.ReplaySettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * No cluster runs kubernetes/contact-list-bridge.yaml in the build, so this test keeps it consistent with the code:
 * settings names, the files its settings name and the secrets mounted there, the flows it mounts (the same as
 * routes/), the probes, and what the bridge makes of its ConfigMap (read the way the bridge reads it, with the Secret's
 * file resolved by Kafka's FileConfigProvider).
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
    void holdsOneDeploymentWithItsConfigMapsAndSecrets() {
        assertThat(documents).containsOnlyKeys("Secret/contact-list-bridge-kafka", "Secret/contact-list-bridge-kore",
                "ConfigMap/contact-list-bridge-config", "ConfigMap/contact-list-bridge-routes",
                "Deployment/contact-list-bridge");
        assertThat(containers()).hasSize(1);
    }

    @Test
    void siteSettingsAreKnownSettingsSetEveryRequiredOneAndNoSecret() throws IOException {
        Map<String, String> env = environment();
        assertThat(env.keySet()).as("settings live in the ConfigMap; the environment only says where")
                .containsExactly("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION");

        Properties site = siteProperties();
        assertThat(site.stringPropertyNames()).as("each a key of config/application.properties")
                .allSatisfy(key -> assertThat(defaults).containsKey(key));
        assertThat(site).containsKeys("kafka.brokers", "kore.stream-id", "kore.account-id", "kore.iid",
                "kore.client-id", "kore.client-secret-file");
        assertThat(site).as("secrets come as files").doesNotContainKey("kore.client-secret");
        assertThat(site.getProperty("kore.base-url")).startsWith("https://");
        assertThat(site).doesNotContainKey("kore.allow-plain-http");
    }

    @Test
    void siteSettingsPassTheBridgesOwnValidation() throws IOException {
        // The same check the bridge runs at start-up, on this ConfigMap over the defaults, with the secret mounted.
        Properties site = siteProperties();
        Path secret = Files.writeString(temp.resolve("client-secret"),
                mountedContent(site.getProperty("kore.client-secret-file")).replace("REPLACE_ME",
                        "a-client-secret-of-at-least-32-bytes-0123456789"));
        Properties effective = new Properties();
        effective.putAll(defaults);
        effective.putAll(site);
        effective.setProperty("kore.client-secret-file", secret.toString());
        assertThatCode(() -> BridgeSettings.load(key -> Optional.ofNullable(effective.getProperty(key))))
                .doesNotThrowAnyException();
    }

    @Test
    void everyFileTheSettingsNameIsMountedFromItsSecretOrConfigMap() throws IOException {
        assertThat(mountedContent(siteProperties().getProperty("kore.client-secret-file"))).isNotBlank();

        List<String> locations = locations();
        assertThat(locations).hasSize(3);
        assertThat(locations.get(2)).as("the image's defaults, relative to its WORKDIR /app, listed last")
                .isEqualTo("file:config/application.properties");
        assertThat(mountedContent(locations.get(0).substring("file:".length()))).isEqualTo(configMapFile(
                "contact-list-bridge-config", "bridge.properties"));
        String kafkaSecurity = mountedContent(locations.get(1).substring("file:".length()));
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
    @SuppressWarnings("unchecked")
    void theRoutesConfigMapHoldsTheProjectsFlowsAndIsMountedWhereTheBridgeReadsThem() throws IOException {
        String pattern = defaults.getProperty("camel.main.routes-include-pattern").strip();
        assertThat(pattern).startsWith("file:routes/");
        assertThat(mountPaths()).as("over the image's routes/ (WORKDIR /app)")
                .containsEntry("/app/routes", "contact-list-bridge-routes");

        Map<String, String> flows = (Map<String, String>) documents.get("ConfigMap/contact-list-bridge-routes")
                .get("data");
        Map<String, String> project = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("routes"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                project.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        assertThat(flows).as("the same flows as routes/ (regenerate with: kubectl create configmap "
                + "contact-list-bridge-routes --from-file=routes/ --dry-run=client -o yaml)").isEqualTo(project);
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
        assertThat(locations().get(1)).as("the file read here is the one the pod lists")
                .isEqualTo("file:" + mountPathOf("contact-list-bridge-config") + "/kafka-security.properties");

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
        // Liveness only for the process: a Kafka outage (readiness) must not make Kubernetes restart every replica.
        assertThat(probePath("startupProbe")).isEqualTo("/observe/health/live");
        assertThat(probePath("livenessProbe")).isEqualTo("/observe/health/live");
        assertThat(probePath("readinessProbe")).isEqualTo("/observe/health/ready");
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
            assertThat(get.get("port")).as(probe).isEqualTo("management");
        }
        Map<String, Object> readiness = (Map<String, Object>) container.get("readinessProbe");
        assertThat((Integer) readiness.get("timeoutSeconds")).as("outlasts the kafka-broker check's 3 s")
                .isGreaterThan(3);
        assertThat(defaults.getProperty("management.host").strip()).as("reachable by the kubelet")
                .isEqualTo("0.0.0.0");

        Map<String, Object> pod = podSpec();
        assertThat(((Map<String, Object>) pod.get("securityContext")).get("runAsUser")).as("the image's USER")
                .isEqualTo(10001);
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).as("outlasts camel.main.shutdown-timeout")
                .isGreaterThan(Integer.parseInt(defaults.getProperty("camel.main.shutdown-timeout").strip()));
        assertThat(((Map<String, Object>) container.get("securityContext")).get("readOnlyRootFilesystem"))
                .isEqualTo(true);
        assertThat(mountPaths()).as("a writable /tmp for the read-only root file system").containsKey("/tmp");
        Map<String, Object> resources = (Map<String, Object>) container.get("resources");
        assertThat(resources).containsKeys("requests", "limits");
        assertThat((Map<String, Object>) resources.get("limits")).containsKey("memory");
    }

    @Test
    @SuppressWarnings("unchecked")
    void replicasShareOneConsumerGroupAndTheKoreRateLimit() throws IOException {
        Map<String, Object> spec = (Map<String, Object>) documents.get("Deployment/contact-list-bridge").get("spec");
        int replicas = (Integer) spec.get("replicas");
        assertThat(replicas).as("more than one replica").isGreaterThan(1);
        Properties site = siteProperties();
        String group = site.getProperty("bridge.consumer-group", defaults.getProperty("bridge.consumer-group"));
        assertThat(group).as("one group for every replica, not one per pod").isNotBlank().doesNotContain("$");
        int perReplica = Integer.parseInt(site.getProperty("kore.rate-limit.requests-per-minute").strip());
        assertThat(perReplica * replicas).as("Kore.ai's 60 calls per minute per account, shared")
                .isLessThanOrEqualTo(60).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    private static Properties siteProperties() throws IOException {
        Properties site = new Properties();
        site.load(new StringReader(configMapFile("contact-list-bridge-config", "bridge.properties")));
        return site;
    }

    private static List<String> locations() {
        return List.of(environment().get("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION").split(","));
    }

    @SuppressWarnings("unchecked")
    private static String probePath(String probe) {
        return String.valueOf(((Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet"))
                .get("path"));
    }

    @SuppressWarnings("unchecked")
    private static String configMapFile(String configMap, String key) {
        Map<String, String> data = (Map<String, String>) documents.get("ConfigMap/" + configMap).get("data");
        assertThat(data).as(configMap).containsKey(key);
        return data.get(key);
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

    private static String kafkaSecurityProperties() {
        return configMapFile("contact-list-bridge-config", "kafka-security.properties");
    }
}
