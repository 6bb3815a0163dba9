package io.fleetwarden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.fleetwarden.model.TopicSpec;
import io.fleetwarden.model.Topics;

/**
 * Parses every Kubernetes manifest and the compose file and checks them against the code and the
 * other deploy files: topics against {@link Topics#ALL}, image names against {@code parts.env} and
 * the Containerfiles, ports against the Containerfiles' {@code EXPOSE}, broker configuration keys
 * across every place that sets them, secrets referenced against the secrets declared (which must
 * hold placeholders only).
 */
class ManifestConsistencyTest {

    private static final Path DEPLOY = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Pattern BROKER_KEY = Pattern.compile("-Dfleetwarden\\.([a-z0-9.-]+)=");

    private static List<Map<String, Object>> k8s;
    private static Map<String, Object> compose;
    private static Map<String, String> parts;

    @BeforeAll
    static void load() throws IOException {
        k8s = new ArrayList<>();
        List<Path> manifests = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s/base"))) {
            files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().startsWith("kustomiz"))
                    .forEach(manifests::add);
        }
        manifests.add(DEPLOY.resolve("k8s/secrets.example.yaml"));
        {
            for (Path file : manifests.stream().sorted().toList()) {
                for (Object doc : yaml().loadAll(Files.readString(file))) {
                    if (doc != null) {
                        Map<String, Object> map = map(doc);
                        map.put("__file", file.getFileName().toString());
                        k8s.add(map);
                    }
                }
            }
        }
        compose = map(yaml().load(Files.readString(DEPLOY.resolve("compose/compose.yaml"))));
        parts = partsEnv();
    }

    @Test
    void everyManifestIsAWellFormedResourceInTheNamespace() {
        assertThat(k8s).hasSizeGreaterThan(10);
        for (Map<String, Object> doc : k8s) {
            assertThat(doc).as(doc.get("__file") + ": apiVersion and kind").containsKeys("apiVersion", "kind");
            Map<String, Object> metadata = map(doc.get("metadata"));
            assertThat(metadata.get("name")).as(doc.get("__file") + ": metadata.name").isNotNull();
            if (!"Namespace".equals(doc.get("kind"))) {
                assertThat(metadata.get("namespace")).as(doc.get("__file") + " " + metadata.get("name"))
                        .isEqualTo("fleetwarden");
            }
        }
    }

    @Test
    void kafkaTopicsAreExactlyTopicsAll() {
        Map<String, Map<String, Object>> topics = new LinkedHashMap<>();
        for (Map<String, Object> doc : ofKind("KafkaTopic")) {
            Map<String, Object> spec = map(doc.get("spec"));
            topics.put((String) spec.get("topicName"), spec);
            assertThat(map(map(doc.get("metadata")).get("labels")).get("strimzi.io/cluster"))
                    .as("cluster label of " + spec.get("topicName")).isEqualTo(kafkaClusterName());
        }
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(
                Topics.ALL.stream().map(TopicSpec::name).toList());
        for (TopicSpec spec : Topics.ALL) {
            Map<String, Object> topic = topics.get(spec.name());
            assertThat(topic.get("partitions")).as(spec.name() + " partitions").isEqualTo(spec.partitions());
            assertThat(map(topic.get("config")).get("cleanup.policy")).as(spec.name() + " cleanup.policy")
                    .isEqualTo(spec.cleanupPolicy());
        }
    }

    @Test
    void kafkaIsKraftWithNodePools() {
        Map<String, Object> kafka = ofKind("Kafka").get(0);
        assertThat(map(map(kafka.get("metadata")).get("annotations")))
                .containsEntry("strimzi.io/kraft", "enabled").containsEntry("strimzi.io/node-pools", "enabled");
        Map<String, Object> pool = ofKind("KafkaNodePool").get(0);
        assertThat(map(map(pool.get("metadata")).get("labels"))).containsEntry("strimzi.io/cluster", kafkaClusterName());
        assertThat(list(map(pool.get("spec")).get("roles"))).contains("controller", "broker");
    }

    @Test
    void everyImageIsBuiltByAContainerfileNamedInPartsEnv() {
        // compose runs the locally built images; the Kubernetes base names them fleetwarden/<part>
        // without registry or tag, and each overlay maps them (KubernetesOverlaysTest)
        Set<String> known = parts.entrySet().stream()
                .filter(e -> e.getKey().endsWith("_IMAGE"))
                .flatMap(e -> Stream.of(parts.get("FW_IMAGE_REGISTRY") + "/" + e.getValue() + ":" + parts.get("FW_IMAGE_TAG"),
                        "fleetwarden/" + e.getValue()))
                .collect(Collectors.toSet());
        Map<String, String> used = new LinkedHashMap<>();
        for (Map<String, Object> doc : k8s) {
            if ("FlinkDeployment".equals(doc.get("kind"))) {
                used.put((String) map(doc.get("spec")).get("image"), doc.get("__file").toString());
            }
            for (Map<String, Object> container : containers(doc)) {
                used.put((String) container.get("image"), doc.get("__file").toString());
            }
        }
        for (Map.Entry<String, Object> service : map(compose.get("services")).entrySet()) {
            used.put((String) map(service.getValue()).get("image"), "compose " + service.getKey());
        }
        assertThat(used).isNotEmpty();
        used.forEach((image, where) -> {
            assertThat(known).as(where + " uses " + image).contains(image);
            assertThat(containerfileOf(image)).as("Containerfile of " + image).exists();
        });
    }

    @Test
    void everyContainerfileTakesItsBaseImageAsABuildArgument() throws IOException {
        try (Stream<Path> files = Files.walk(DEPLOY.resolve("containers"))) {
            List<Path> containerfiles = files.filter(f -> f.getFileName().toString().startsWith("Containerfile")).toList();
            assertThat(containerfiles).hasSizeGreaterThanOrEqualTo(7);
            for (Path file : containerfiles) {
                String text = Files.readString(file);
                assertThat(text).as(file.toString()).containsPattern("(?m)^ARG BASE_IMAGE=\\S+")
                        .containsPattern("(?m)^FROM \\$\\{BASE_IMAGE}");
            }
        }
    }

    @Test
    void containerPortsAreExposedByTheirImageAndServicesTargetThem() throws IOException {
        for (Map<String, Object> doc : k8s) {
            for (Map<String, Object> container : containers(doc)) {
                Set<Integer> exposed = exposedPorts(containerfileOf((String) container.get("image")));
                for (Object port : list(container.get("ports"))) {
                    assertThat(exposed).as(doc.get("__file") + " " + container.get("name") + " port " + port)
                            .contains((Integer) map(port).get("containerPort"));
                }
            }
        }
        for (Map<String, Object> service : ofKind("Service")) {
            Map<String, Object> selector = map(map(service.get("spec")).get("selector"));
            Map<String, Object> workload = k8s.stream()
                    .filter(d -> List.of("Deployment", "StatefulSet").contains(d.get("kind")))
                    .filter(d -> map(map(map(map(d.get("spec")).get("template")).get("metadata")).get("labels"))
                            .entrySet().containsAll(selector.entrySet()))
                    .findFirst().orElseThrow(() -> new AssertionError("no workload for service " + service.get("metadata")));
            Set<Object> names = new LinkedHashSet<>();
            for (Map<String, Object> container : containers(workload)) {
                for (Object port : list(container.get("ports"))) {
                    names.add(map(port).get("name"));
                    names.add(map(port).get("containerPort"));
                }
            }
            for (Object port : list(map(service.get("spec")).get("ports"))) {
                assertThat(names).as("targetPort of service " + map(service.get("metadata")).get("name"))
                        .contains(map(port).get("targetPort"));
            }
        }
        for (Map.Entry<String, Object> entry : map(compose.get("services")).entrySet()) {
            Map<String, Object> service = map(entry.getValue());
            Set<Integer> exposed = exposedPorts(containerfileOf((String) service.get("image")));
            for (Object mapping : list(service.get("ports"))) {
                String text = mapping.toString();
                int containerPort = Integer.parseInt(text.substring(text.lastIndexOf(':') + 1));
                assertThat(exposed).as("compose " + entry.getKey() + " publishes " + text).contains(containerPort);
            }
        }
    }

    @Test
    void theBrokerIsDeployedWithTlsPassthroughOnly() {
        Map<String, Object> service = ofKind("Service").stream()
                .filter(s -> "fleetwarden-broker".equals(map(s.get("metadata")).get("name"))).findFirst().orElseThrow();
        Map<String, Object> spec = map(service.get("spec"));
        assertThat(spec.get("type")).isIn("LoadBalancer", "NodePort");
        assertThat(list(spec.get("ports"))).singleElement()
                .satisfies(p -> assertThat(map(p)).containsEntry("port", 8883).containsEntry("protocol", "TCP"));
        // No Ingress (an HTTP proxy would end TLS and lose the device certificate).
        assertThat(ofKind("Ingress")).isEmpty();
    }

    @Test
    void brokerConfigurationKeysAgreeEverywhere() throws IOException {
        Set<String> k8sKeys = brokerKeys(String.join(" ", envValues(workload("fleetwarden-broker"), "JAVA_OPTS")));
        Set<String> composeKeys = brokerKeys(map(map(map(compose.get("services")).get("broker")).get("environment"))
                .get("JAVA_OPTS").toString());
        Set<String> imageKeys = brokerKeys(Files.readString(DEPLOY.resolve("containers/broker/Containerfile")));
        Set<String> runnerKeys = new TreeSet<>();
        Matcher lines = Pattern.compile("(?m)^fleetwarden\\.([a-z0-9.-]+)=").matcher(Files.readString(DEPLOY.resolve("bin/fleetwarden-local")));
        while (lines.find()) {
            runnerKeys.add(lines.group(1));
        }
        assertThat(k8sKeys).contains("kafka.bootstrap-servers", "trust.ca-certificates", "broker-id");
        assertThat(composeKeys).isEqualTo(k8sKeys);
        assertThat(runnerKeys).isEqualTo(k8sKeys);
        assertThat(k8sKeys).containsAll(imageKeys);

        // Every key must be one the broker extension's configuration knows.
        Path brokerConfig = DEPLOY.resolveSibling("broker-extension/src/main/java/io/fleetwarden/broker/config/BrokerConfig.java");
        assertThat(brokerConfig).as("BrokerConfig source").exists();
        Set<String> declared = new TreeSet<>();
        Matcher m = Pattern.compile("d\\.put\\(\"([a-z0-9.-]+)\"").matcher(Files.readString(brokerConfig));
        while (m.find()) {
            declared.add(m.group(1));
        }
        assertThat(declared).as("keys declared in BrokerConfig").containsAll(k8sKeys);
    }

    @Test
    void kafkaClientsUseTheStrimziBootstrapService() {
        String bootstrap = kafkaClusterName() + "-kafka-bootstrap:9093";
        Map<String, Object> kafkaSpec = map(map(ofKind("Kafka").get(0).get("spec")).get("kafka"));
        // one client listener, TLS with client certificates; Kafka ACLs on
        assertThat(list(kafkaSpec.get("listeners"))).singleElement().satisfies(l -> assertThat(map(l))
                .containsEntry("port", 9093).containsEntry("tls", true)
                .containsEntry("authentication", Map.of("type", "tls")));
        assertThat(map(kafkaSpec.get("authorization"))).containsEntry("type", "simple");
        String everything = k8s.toString();
        Matcher m = Pattern.compile("[a-z0-9-]+-kafka-bootstrap:\\d+").matcher(everything);
        int found = 0;
        while (m.find()) {
            assertThat(m.group()).isEqualTo(bootstrap);
            found++;
        }
        assertThat(found).as("workloads pointing at Kafka").isGreaterThanOrEqualTo(3);
    }

    @Test
    void flinkDeploymentRunsTheJobJarThatItsImageContains() throws IOException {
        Map<String, Object> flink = ofKind("FlinkDeployment").get(0);
        Map<String, Object> job = map(map(flink.get("spec")).get("job"));
        String jarPath = job.get("jarURI").toString().replaceFirst("^local://", "");
        String containerfile = Files.readString(DEPLOY.resolve("containers/stream-jobs/Containerfile.flink"));
        assertThat(containerfile).containsPattern("(?m)^COPY \\S+ " + Pattern.quote(jarPath) + "$");
        assertThat(job.get("entryClass")).isEqualTo(parts.get("FW_STREAM_JOB_CLASS"));
        assertThat((Integer) job.get("parallelism")).isPositive();
        Map<String, Object> config = map(map(flink.get("spec")).get("flinkConfiguration"));
        assertThat(config).containsKey("execution.checkpointing.dir").containsKey("execution.checkpointing.interval");
        // the job applies --checkpoint-interval over the cluster configuration: both must say the same
        List<Object> args = list(job.get("args"));
        int at = args.indexOf("--checkpoint-interval");
        assertThat(at).as("--checkpoint-interval in the job arguments").isNotNegative();
        assertThat(args.get(at + 1)).isEqualTo(config.get("execution.checkpointing.interval"));
    }

    @Test
    void topicConfigsAreExactlyTheSpecsConfigs() {
        for (Map<String, Object> doc : ofKind("KafkaTopic")) {
            Map<String, Object> spec = map(doc.get("spec"));
            TopicSpec topic = Topics.spec((String) spec.get("topicName")).orElseThrow();
            Map<String, Object> config = map(spec.get("config"));
            topic.configs().forEach((key, value) -> assertThat(String.valueOf(config.get(key)))
                    .as(topic.name() + " " + key).isEqualTo(value));
        }
    }

    @Test
    void referencedSecretsAreDeclaredWithPlaceholdersOnly() {
        Map<String, Set<String>> declared = new LinkedHashMap<>();
        for (Map<String, Object> configMap : ofKind("ConfigMap")) {
            declared.put("configmap:" + map(configMap.get("metadata")).get("name"), Set.of());
        }
        for (Map<String, Object> secret : ofKind("Secret")) {
            Map<String, Object> data = map(secret.get("stringData"));
            data.forEach((key, value) -> assertThat(value).as("secret values in the repository must be placeholders")
                    .isEqualTo("REPLACE_ME"));
            assertThat(secret).doesNotContainKey("data");
            declared.put((String) map(secret.get("metadata")).get("name"), data.keySet());
        }
        // issued by Strimzi: a Secret per KafkaUser and the cluster CA's public certificate
        for (Map<String, Object> user : ofKind("KafkaUser")) {
            declared.put((String) map(user.get("metadata")).get("name"),
                    Set.of("user.crt", "user.key", "user.p12", "user.password", "ca.crt"));
        }
        declared.put(kafkaClusterName() + "-cluster-ca-cert", Set.of("ca.crt", "ca.p12", "ca.password"));
        List<String[]> references = new ArrayList<>();
        collectSecretReferences(k8s, references);
        assertThat(references).hasSizeGreaterThanOrEqualTo(3);
        for (String[] ref : references) {
            assertThat(declared).as("secret " + ref[0]).containsKey(ref[0]);
            if (ref[1] != null) {
                assertThat(declared.get(ref[0])).as("key " + ref[1] + " of secret " + ref[0]).contains(ref[1]);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? new LinkedHashMap<>() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static List<Map<String, Object>> ofKind(String kind) {
        return k8s.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static String kafkaClusterName() {
        return (String) map(ofKind("Kafka").get(0).get("metadata")).get("name");
    }

    private static Map<String, Object> workload(String name) {
        return k8s.stream().filter(d -> List.of("Deployment", "StatefulSet").contains(d.get("kind")))
                .filter(d -> name.equals(map(d.get("metadata")).get("name"))).findFirst().orElseThrow();
    }

    private static List<Map<String, Object>> containers(Map<String, Object> doc) {
        if (!List.of("Deployment", "StatefulSet").contains(doc.get("kind"))) {
            return List.of();
        }
        Map<String, Object> podSpec = map(map(map(doc.get("spec")).get("template")).get("spec"));
        return list(podSpec.get("containers")).stream().map(ManifestConsistencyTest::map).toList();
    }

    private static List<String> envValues(Map<String, Object> doc, String name) {
        return containers(doc).stream().flatMap(c -> list(c.get("env")).stream()).map(ManifestConsistencyTest::map)
                .filter(e -> name.equals(e.get("name"))).map(e -> String.valueOf(e.get("value"))).toList();
    }

    private static Set<String> brokerKeys(String text) {
        Set<String> keys = new TreeSet<>();
        Matcher m = BROKER_KEY.matcher(text);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    private static Path containerfileOf(String image) {
        String last = image.substring(image.lastIndexOf('/') + 1);
        String name = last.contains(":") ? last.substring(0, last.indexOf(':')) : last;
        if (name.equals(parts.get("FW_STREAM_FLINK_IMAGE"))) {
            return DEPLOY.resolve("containers/stream-jobs/Containerfile.flink");
        }
        return DEPLOY.resolve("containers/" + name + "/Containerfile");
    }

    private static Set<Integer> exposedPorts(Path containerfile) throws IOException {
        Set<Integer> ports = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(Files.readString(containerfile));
        while (m.find()) {
            for (String p : m.group(1).trim().split("\\s+")) {
                ports.add(Integer.parseInt(p.replace("/tcp", "")));
            }
        }
        return ports;
    }

    @SuppressWarnings("unchecked")
    private static void collectSecretReferences(Object node, List<String[]> out) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> map = (Map<String, Object>) m;
            if (map.containsKey("secretName")) {
                String name = (String) map.get("secretName");
                List<Object> items = list(map.get("items"));
                if (items.isEmpty()) {
                    out.add(new String[] {name, null});
                }
                items.forEach(i -> out.add(new String[] {name, (String) map(i).get("key")}));
            }
            if (map.containsKey("configMap") && map.get("configMap") instanceof Map<?, ?> cm) {
                out.add(new String[] {"configmap:" + cm.get("name"), null});
            }
            if (map.containsKey("secretKeyRef")) {
                Map<String, Object> ref = map(map.get("secretKeyRef"));
                out.add(new String[] {(String) ref.get("name"), (String) ref.get("key")});
            }
            map.values().forEach(v -> collectSecretReferences(v, out));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectSecretReferences(v, out));
        }
    }

    /** The assignments of parts.env, with ${VAR:-default} reduced to its default. */
    private static Map<String, String> partsEnv() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Pattern assignment = Pattern.compile("^(FW_[A-Z_]+)=\"?(?:\\$\\{[A-Z_]+:-)?([^\"}]*)}?\"?$");
        for (String line : Files.readAllLines(DEPLOY.resolve("parts.env"))) {
            Matcher m = assignment.matcher(line.trim());
            if (m.matches()) {
                values.put(m.group(1), m.group(2));
            }
        }
        return values;
    }
}
