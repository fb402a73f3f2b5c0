package com.contactlistbridge.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import com.contactlistbridge.Application;
import com.contactlistbridge.config.BridgeSettings;
import com.contactlistbridge.sandbox.DemoCredentials;
import com.contactlistbridge.sandbox.SandboxSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.w3c.dom.Document;
import org.w3c.dom.Node;

/**
 * No Docker engine runs the docker/ files in the build, so this test keeps them consistent with the code they package:
 * settings names, credentials, topics, paths and the jar name. Runs from the project root (surefire workingDirectory).
 */
class DockerFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path DOCKER_DIR = ROOT.resolve("docker");

    private static Properties defaults;
    /** Keys with an empty default whose comment says "(required": the settings every deployment must supply. */
    private static Set<String> requiredKeys;
    private static Map<String, Object> compose;
    private static List<Instruction> dockerfile;

    @BeforeAll
    static void load() throws IOException {
        defaults = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("config/application.properties"))) {
            defaults.load(reader);
        }
        requiredKeys = documentedRequiredKeys(Files.readAllLines(ROOT.resolve("config/application.properties")));
        compose = asMap(yaml(Files.readString(DOCKER_DIR.resolve("compose.yaml"))), "compose.yaml");
        dockerfile = Instruction.parse(Files.readString(DOCKER_DIR.resolve("Dockerfile")));
    }

    // ---------------------------------------------------------------- bridge settings

    @Test
    void bridgeEnvironmentSetsOnlyKnownSettingsAndEveryRequiredOne() {
        Map<String, String> env = environment("bridge");
        Map<String, String> propertyByEnvName = new LinkedHashMap<>();
        for (String key : defaults.stringPropertyNames()) {
            propertyByEnvName.put(camelEnvName(key), key);
        }

        assertThat(env.keySet())
                .as("bridge env vars must each override a key of config/application.properties")
                .allSatisfy(name -> assertThat(propertyByEnvName).containsKey(name))
                .as("camel-main silently ignores env vars ending in _PORT")
                .noneMatch(name -> name.endsWith("_PORT"));

        Set<String> requiredEnvNames = requiredKeys.stream().map(DockerFilesTest::camelEnvName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(requiredEnvNames).as("required keys (empty defaults)")
                .contains("KAFKA_BROKERS", "KORE_CLIENT_SECRET");
        assertThat(env).as("bridge env sets every required setting").containsKeys(requiredEnvNames.toArray(String[]::new));
        assertThat(env).as("required settings must not be blank")
                .allSatisfy((name, value) -> assertThat(value).isNotBlank());
    }

    @Test
    void bridgeEnvironmentPassesTheBridgesOwnValidation() {
        // The same check the bridge runs at start-up: a bad URL or a short secret fails here, not in a container.
        assertThatCode(() -> BridgeSettings.load(key -> Optional.ofNullable(effectiveBridgeSetting(key))))
                .doesNotThrowAnyException();
    }

    @Test
    void bridgeRunsProductionModeWithMountedConfigAndRoutes() {
        Map<String, Object> bridge = service("bridge");
        assertThat(bridge).as("no command = production mode").doesNotContainKeys("command", "entrypoint");

        Map<String, String> dependsOn = dependencyConditions(bridge);
        assertThat(dependsOn)
                .containsEntry("kafka-init", "service_completed_successfully")
                .containsEntry("kore-sandbox", "service_started");
        assertThat(dependencyConditions(service("kafka-init"))).containsEntry("kafka", "service_healthy");

        String workdir = runtimeStage().workdir();
        List<String> volumes = asList(bridge.get("volumes"), "bridge.volumes").stream().map(String::valueOf).toList();
        for (String dir : appRelativeDirs()) {
            String mount = "../" + dir + ":" + workdir + "/" + dir + ":ro";
            assertThat(volumes).as("bridge volumes").contains(mount);
            assertThat(DOCKER_DIR.resolve("../" + dir).normalize()).as("mounted host dir").isDirectory();
        }

        Optional<Integer> managementPort = managementPort();
        if (managementPort.isPresent()) {
            assertThat(String.valueOf(bridge.get("healthcheck"))).as("bridge healthcheck probes the management port")
                    .contains("http://localhost:" + managementPort.get() + "/observe/health/ready");
        } else {
            assertThat(bridge).as("no management server, nothing to probe").doesNotContainKey("healthcheck");
        }

        long shutdownTimeout = Long.parseLong(defaults.getProperty("camel.main.shutdown-timeout"));
        Matcher grace = Pattern.compile("(\\d+)s").matcher(String.valueOf(bridge.get("stop_grace_period")));
        assertThat(grace.matches()).as("bridge stop_grace_period in seconds, e.g. 40s").isTrue();
        assertThat(Long.parseLong(grace.group(1))).as("stop grace outlasts camel.main.shutdown-timeout")
                .isGreaterThan(shutdownTimeout);
    }

    // ---------------------------------------------------------------- sandbox

    @Test
    void sandboxAndBridgeShareTheDemoCredentials() {
        Map<String, Object> sandbox = service("kore-sandbox");
        assertThat(asList(sandbox.get("command"), "kore-sandbox.command")).containsExactly((Object) "sandbox");

        Map<String, String> demo = Map.of(
                SandboxSettings.ENV_STREAM_ID, DemoCredentials.STREAM_ID,
                SandboxSettings.ENV_ACCOUNT_ID, DemoCredentials.ACCOUNT_ID,
                SandboxSettings.ENV_IID, DemoCredentials.IID,
                SandboxSettings.ENV_CLIENT_ID, DemoCredentials.CLIENT_ID,
                SandboxSettings.ENV_CLIENT_SECRET, DemoCredentials.CLIENT_SECRET);
        Map<String, String> sandboxEnv = environment("kore-sandbox");
        Map<String, String> bridgeEnv = environment("bridge");
        assertThat(sandboxEnv).as("sandbox credentials").containsAllEntriesOf(demo);
        assertThat(bridgeEnv).as("bridge credentials").containsAllEntriesOf(demo);

        assertThat(sandboxEnv.keySet()).as("only variables SandboxSettings reads").isSubsetOf(
                SandboxSettings.ENV_PORT, SandboxSettings.ENV_BIND_HOST, SandboxSettings.ENV_STREAM_ID,
                SandboxSettings.ENV_ACCOUNT_ID, SandboxSettings.ENV_IID, SandboxSettings.ENV_CLIENT_ID,
                SandboxSettings.ENV_CLIENT_SECRET, SandboxSettings.ENV_REQUESTS_PER_MINUTE);
        SandboxSettings settings = SandboxSettings.fromEnvironment(sandboxEnv);
        assertThat(settings.bindHost()).as("reachable from other containers").isEqualTo("0.0.0.0");

        URI koreBaseUrl = URI.create(bridgeEnv.get(camelEnvName("kore.base-url")));
        assertThat(koreBaseUrl.getScheme()).isEqualTo("http");
        assertThat(koreBaseUrl.getHost()).as("bridge calls the sandbox service").isEqualTo("kore-sandbox");
        assertThat(koreBaseUrl.getPort()).as("bridge calls the sandbox port").isEqualTo(settings.port());
    }

    @Test
    void sandboxRunsTheDemoStageAndTheBridgeTheProductionImage() {
        for (String name : List.of("kore-sandbox", "bridge")) {
            Map<String, Object> build = asMap(service(name).get("build"), name + ".build");
            Path context = DOCKER_DIR.resolve(String.valueOf(build.get("context"))).normalize();
            assertThat(context).as(name + " build context is the project root").isEqualTo(ROOT);
            assertThat(context.resolve(String.valueOf(build.get("dockerfile")))).as(name + " dockerfile")
                    .isEqualTo(DOCKER_DIR.resolve("Dockerfile"));
        }
        Map<String, Object> sandboxBuild = asMap(service("kore-sandbox").get("build"), "kore-sandbox.build");
        assertThat(sandboxBuild.get("target")).as("the sandbox lives in the demo kit's image").isEqualTo("demo");
        assertThat(demoStage().name()).isEqualTo("demo");
        assertThat(asMap(service("bridge").get("build"), "bridge.build"))
                .as("no target: the last stage, the production image").doesNotContainKey("target");
        assertThat(service("bridge").get("image")).as("two images").isNotEqualTo(service("kore-sandbox").get("image"));
    }

    @Test
    void theProductionImageHoldsOnlyTheProductionJar() throws Exception {
        Stage runtime = runtimeStage();
        List<String> fromBuild = runtime.copies().stream().filter(c -> c.from() != null)
                .flatMap(c -> c.sources().stream()).toList();
        assertThat(fromBuild).as("what the production stage takes from the build")
                .containsExactly(stages().get(0).workdir() + "/target/" + finalNameOfPom() + ".jar");
        assertThat(String.join("\n", runtime.args("COPY"))).doesNotContain("demo-lib", "-demo.jar", "examples");
    }

    @Test
    void theDemoStageRunsTheDemoKitWithTheProductionJarOnOneClasspath() throws Exception {
        Stage demo = demoStage();
        Stage build = stages().get(0);
        String target = build.workdir() + "/target/";
        String jar = finalNameOfPom() + ".jar";
        String demoJar = finalNameOfPom() + "-demo.jar";
        List<String> fromBuild = demo.copies().stream().filter(c -> c.from() != null)
                .flatMap(c -> c.sources().stream()).map(DockerFilesTest::strip).toList();
        assertThat(fromBuild).containsExactlyInAnyOrder(target + jar, target + demoJar, target + "demo-lib");
        assertThat(demo.copies().stream().filter(c -> c.from() == null).flatMap(c -> c.sources().stream())
                .map(DockerFilesTest::strip)).as("the demo reads its sample events from there")
                .contains(com.contactlistbridge.demo.DemoRunner.EXAMPLES.getName(0).toString(), "config", "routes");

        List<String> entrypoint = asList(yaml(demo.last("ENTRYPOINT")), "demo ENTRYPOINT").stream()
                .map(String::valueOf).toList();
        int cp = entrypoint.indexOf("-cp");
        assertThat(cp).as("a classpath option").isPositive();
        assertThat(List.of(entrypoint.get(cp + 1).split(":"))).containsExactly(demo.workdir() + "/" + jar,
                demo.workdir() + "/" + demoJar, demo.workdir() + "/demo-lib/*");
        assertThat(entrypoint.get(cp + 2)).isEqualTo(com.contactlistbridge.demo.DemoMain.class.getName());
        assertThat(demo.last("USER")).isEqualTo(runtimeStage().last("USER"));
    }

    @Test
    void theImageHealthcheckProbesLivenessOnTheManagementPort() {
        String healthcheck = runtimeStage().last("HEALTHCHECK");
        assertThat(healthcheck).as("HEALTHCHECK of the production stage").isNotNull();
        assertThat(healthcheck).contains("CMD").contains("http://localhost:" + managementPort().orElseThrow()
                + "/observe/health/live");
        Matcher timeout = Pattern.compile("--timeout=(\\d+)s").matcher(healthcheck);
        assertThat(timeout.find()).as("a timeout").isTrue();
    }

    // ---------------------------------------------------------------- Kafka

    @Test
    void kafkaInitCreatesExactlyTheBridgeTopics() {
        String script = String.join("\n", asList(service("kafka-init").get("command"), "kafka-init.command")
                .stream().map(String::valueOf).toList());
        List<String> createLines = script.lines().filter(line -> line.contains("kafka-topics.sh")).toList();
        assertThat(createLines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .contains("--create", "--if-not-exists", "--partitions 3", "--replication-factor 1"));

        Set<String> created = new TreeSet<>();
        Matcher topic = Pattern.compile("--topic\\s+(\\S+)").matcher(script);
        while (topic.find()) {
            created.add(topic.group(1));
        }
        Set<String> expected = new TreeSet<>(List.of(effectiveBridgeSetting("bridge.topic.requests"),
                effectiveBridgeSetting("bridge.topic.created"), effectiveBridgeSetting("bridge.topic.dead-letter")));
        assertThat(created).isEqualTo(expected);
        // With auto-creation on, a topic missing above would appear silently on first use instead of failing.
        assertThat(environment("kafka")).containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    }

    @Test
    void bridgeAndKafkaInitConnectToTheAdvertisedListener() {
        Map<String, String> kafkaEnv = environment("kafka");
        Map<String, String> advertised = listeners(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"));
        Map<String, String> bound = listeners(kafkaEnv.get("KAFKA_LISTENERS"));

        List<String> brokers = List.of(environment("bridge").get("KAFKA_BROKERS").split(","));
        assertThat(brokers).isNotEmpty().allSatisfy(broker -> assertThat(advertised).containsValue(broker.strip()));
        for (String broker : brokers) {
            assertThat(broker.strip()).as("host is the kafka service").startsWith("kafka:");
        }
        advertised.forEach((name, hostPort) -> assertThat(port(bound.get(name)))
                .as("advertised listener " + name + " is bound on the same port").isEqualTo(port(hostPort)));

        Matcher bootstrap = Pattern.compile("--bootstrap-server\\s+(\\S+)")
                .matcher(String.valueOf(service("kafka-init").get("command")));
        assertThat(bootstrap.find()).isTrue();
        assertThat(advertised).as("kafka-init bootstrap server").containsValue(bootstrap.group(1));

        String voters = kafkaEnv.get("KAFKA_CONTROLLER_QUORUM_VOTERS");
        assertThat(voters).isEqualTo(kafkaEnv.get("KAFKA_NODE_ID") + "@kafka:"
                + port(bound.get(kafkaEnv.get("KAFKA_CONTROLLER_LISTENER_NAMES"))));
        assertThat(String.valueOf(service("kafka").get("healthcheck")))
                .contains("kafka-broker-api-versions.sh", "localhost:" + port(bound.get("PLAINTEXT")));
    }

    // ---------------------------------------------------------------- Dockerfile

    @Test
    void dockerfileRunsTheShadedJarAsNonRootOnJre21() throws Exception {
        List<Stage> stages = Stage.split(dockerfile);
        assertThat(stages).as("multi-stage build").hasSizeGreaterThanOrEqualTo(2);
        Stage build = stages.get(0);
        Stage runtime = runtimeStage();
        assertThat(build.image()).matches("eclipse-temurin:21[.0-9_]*-jdk(-[a-z]+)?");
        assertThat(runtime.image()).matches("eclipse-temurin:21[.0-9_]*-jre(-[a-z]+)?");
        assertThat(runtime.image().replace("-jre", "")).as("same Temurin family in both stages")
                .isEqualTo(build.image().replace("-jdk", ""));

        String jar = finalNameOfPom() + ".jar";
        assertThat(build.args("RUN")).anyMatch(run -> run.contains("package") && run.contains("-DskipTests"));
        String jarInImage = "/app/" + jar;
        Copy jarCopy = runtime.copies().stream().filter(c -> c.from() != null).findFirst().orElseThrow();
        assertThat(jarCopy.from()).isEqualTo(build.name());
        assertThat(jarCopy.sources()).containsExactly(build.workdir() + "/target/" + jar);
        assertThat(runtime.resolve(jarCopy.destination())).isEqualTo(jarInImage);

        List<String> entrypoint = asList(yaml(runtime.last("ENTRYPOINT")), "ENTRYPOINT").stream()
                .map(String::valueOf).toList();
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).containsSubsequence("-jar", jarInImage).endsWith(jarInImage);
        assertThat(runtime.args("CMD")).as("no default command: production mode").isEmpty();

        String user = runtime.last("USER");
        assertThat(user).as("runtime USER").isNotNull();
        String uid = user.split(":")[0];
        assertThat(uid).isNotIn("root", "0");
    }

    @Test
    void dockerfileCopiesConfigAndRoutesWhereTheAppReadsThem() {
        Stage runtime = runtimeStage();
        assertThat(runtime.workdir()).isEqualTo("/app");
        Map<String, String> copied = new LinkedHashMap<>();
        for (Copy copy : runtime.copies()) {
            if (copy.from() == null) {
                copy.sources().forEach(source -> copied.put(strip(source), runtime.resolve(copy.destination())));
            }
        }
        for (String dir : appRelativeDirs()) {
            assertThat(copied).as("COPY of " + dir).containsEntry(dir, runtime.workdir() + "/" + dir);
        }

        // The only listening port is the management server's; EXPOSE must follow the properties file.
        List<String> exposed = runtime.args("EXPOSE").stream().flatMap(a -> List.of(a.split("\\s+")).stream())
                .map(p -> p.replace("/tcp", "")).toList();
        assertThat(exposed).as("EXPOSE").containsExactlyElementsOf(managementPort().map(String::valueOf).stream().toList());
    }

    @Test
    void dockerignoreKeepsBuildOutputOutButNotTheSources() throws IOException {
        List<String> patterns = Files.readAllLines(ROOT.resolve(".dockerignore")).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).map(DockerFilesTest::strip).toList();
        assertThat(patterns).contains("target", ".git");
        Set<String> needed = new LinkedHashSet<>();
        for (Stage stage : Stage.split(dockerfile)) {
            stage.copies().stream().filter(c -> c.from() == null).forEach(c -> c.sources().forEach(
                    source -> needed.add(strip(source))));
        }
        assertThat(needed).contains("pom.xml", "src", "config", "routes");
        for (String pattern : patterns) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            assertThat(needed).as(".dockerignore pattern " + pattern)
                    .noneMatch(path -> matcher.matches(Path.of(path)));
        }
    }

    // ---------------------------------------------------------------- helpers: project facts

    /** Camel's rule for the env var that overrides a property placeholder. */
    private static String camelEnvName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The management (health, metrics) port: a number or a {@code {{name:default}}} placeholder's default. */
    private static Optional<Integer> managementPort() {
        String value = defaults.getProperty("camel.management.port");
        if (value == null || value.isBlank() || !"true".equals(defaults.getProperty("camel.management.enabled"))) {
            return Optional.empty();
        }
        Matcher placeholder = Pattern.compile("\\{\\{[^:}]+:(\\d+)}}").matcher(value.strip());
        return Optional.of(Integer.parseInt(placeholder.matches() ? placeholder.group(1) : value.strip()));
    }

    /**
     * Keys with an empty default and a comment directly above them that says "(required". A key sharing the comment
     * of the key above it (kore.client-secret-file after kore.client-secret) is an alternative, not required.
     */
    private static Set<String> documentedRequiredKeys(List<String> lines) throws IOException {
        Set<String> required = new TreeSet<>();
        StringBuilder comment = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#")) {
                comment.append(line).append('\n');
                continue;
            }
            if (!line.isEmpty()) {
                Properties single = new Properties();
                single.load(new StringReader(line));
                for (String key : single.stringPropertyNames()) {
                    if (single.getProperty(key).isBlank() && comment.toString().contains("(required")) {
                        required.add(key);
                    }
                }
            }
            comment.setLength(0);
        }
        return required;
    }

    /** What the bridge container sees for a key: its compose env var, else the properties default. */
    private static String effectiveBridgeSetting(String key) {
        String fromEnv = environment("bridge").get(camelEnvName(key));
        return fromEnv != null ? fromEnv : defaults.getProperty(key);
    }

    /** Directories the app reads relative to its working directory: config/ (properties) and routes/ (YAML). */
    private static List<String> appRelativeDirs() {
        String properties = Application.PROPERTIES_LOCATION.replaceFirst("^file:", "");
        String routes = defaults.getProperty("camel.main.routes-include-pattern").replaceFirst("^file:", "");
        return List.of(properties.substring(0, properties.indexOf('/')), routes.substring(0, routes.indexOf('/')));
    }

    private static String finalNameOfPom() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        String artifactId = null;
        String finalName = null;
        for (Node child = pom.getDocumentElement().getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeName().equals("artifactId")) {
                artifactId = child.getTextContent().strip();
            } else if (child.getNodeName().equals("build")) {
                for (Node b = child.getFirstChild(); b != null; b = b.getNextSibling()) {
                    if (b.getNodeName().equals("finalName")) {
                        finalName = b.getTextContent().strip();
                    }
                }
            }
        }
        assertThat(artifactId).as("pom artifactId").isNotBlank();
        // Maven's default final name is artifactId-version; this image expects a fixed one.
        assertThat(finalName).as("pom build/finalName").isNotBlank();
        return finalName.replace("${project.artifactId}", artifactId);
    }

    // ---------------------------------------------------------------- helpers: compose

    private static Map<String, Object> service(String name) {
        Map<String, Object> services = asMap(compose.get("services"), "services");
        assertThat(services).as("compose services").containsKey(name);
        return asMap(services.get(name), name);
    }

    /** A service's environment as strings, in map or list form. */
    private static Map<String, String> environment(String serviceName) {
        Object env = service(serviceName).get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object entry : list) {
                String[] parts = String.valueOf(entry).split("=", 2);
                result.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return result;
    }

    private static Map<String, String> dependencyConditions(Map<String, Object> service) {
        Map<String, String> conditions = new LinkedHashMap<>();
        asMap(service.get("depends_on"), "depends_on").forEach((name, spec) ->
                conditions.put(name, String.valueOf(asMap(spec, name).get("condition"))));
        return conditions;
    }

    /** {@code NAME://host:port,...} to name -> host:port. */
    private static Map<String, String> listeners(String value) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String listener : value.split(",")) {
            String[] parts = listener.strip().split("://", 2);
            result.put(parts[0], parts[1]);
        }
        return result;
    }

    private static int port(String hostPort) {
        assertThat(hostPort).as("host:port").isNotNull();
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static Object yaml(String text) {
        return new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, String what) {
        assertThat(value).as(what).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value, String what) {
        assertThat(value).as(what).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    private static String strip(String path) {
        String result = path.startsWith("./") ? path.substring(2) : path;
        return result.endsWith("/") ? result.substring(0, result.length() - 1) : result;
    }

    // ---------------------------------------------------------------- helpers: Dockerfile

    private static Stage runtimeStage() {
        List<Stage> stages = stages();
        return stages.get(stages.size() - 1);
    }

    private static List<Stage> stages() {
        return Stage.split(dockerfile);
    }

    private static Stage demoStage() {
        return stages().stream().filter(stage -> "demo".equals(stage.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named demo in the Dockerfile"));
    }

    /** One Dockerfile instruction, continuation lines joined, comments dropped. */
    private record Instruction(String keyword, String args) {

        static List<Instruction> parse(String text) {
            List<Instruction> result = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String raw : text.lines().toList()) {
                String line = raw.strip();
                if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                    continue;
                }
                boolean continued = line.endsWith("\\");
                current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
                if (!continued) {
                    String[] parts = current.toString().strip().split("\\s+", 2);
                    result.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
                    current.setLength(0);
                }
            }
            return result;
        }
    }

    private record Copy(String from, List<String> sources, String destination) {
    }

    private record Stage(String image, String name, List<Instruction> instructions) {

        static List<Stage> split(List<Instruction> all) {
            List<Stage> stages = new ArrayList<>();
            for (Instruction instruction : all) {
                if (instruction.keyword().equals("FROM")) {
                    String[] parts = instruction.args().split("\\s+");
                    String name = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                    stages.add(new Stage(parts[0], name, new ArrayList<>()));
                } else if (!stages.isEmpty()) {
                    stages.get(stages.size() - 1).instructions().add(instruction);
                }
            }
            return stages;
        }

        List<String> args(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        }

        String last(String keyword) {
            List<String> all = args(keyword);
            return all.isEmpty() ? null : all.get(all.size() - 1);
        }

        String workdir() {
            return last("WORKDIR");
        }

        /** An absolute path for a COPY destination, relative ones resolved against the WORKDIR. */
        String resolve(String destination) {
            String path = destination.startsWith("/") ? destination : workdir() + "/" + destination;
            return strip(path);
        }

        List<Copy> copies() {
            List<Copy> copies = new ArrayList<>();
            for (String args : args("COPY")) {
                List<String> tokens = new ArrayList<>(List.of(args.strip().split("\\s+")));
                String from = null;
                while (tokens.get(0).startsWith("--")) {
                    String flag = tokens.remove(0);
                    if (flag.startsWith("--from=")) {
                        from = flag.substring("--from=".length());
                    }
                }
                String destination = tokens.remove(tokens.size() - 1);
                copies.add(new Copy(from, List.copyOf(tokens), destination));
            }
            return copies;
        }
    }
}
