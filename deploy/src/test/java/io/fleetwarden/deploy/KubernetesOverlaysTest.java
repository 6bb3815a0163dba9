package io.fleetwarden.deploy;

import static io.fleetwarden.deploy.Kustomize.list;
import static io.fleetwarden.deploy.Kustomize.map;
import static io.fleetwarden.deploy.Kustomize.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders every Kustomize overlay in {@code k8s/overlays} ({@link Kustomize}) and checks what a
 * cluster would receive: probes, resources, non-root pods, a disruption budget per workload, images
 * with a registry and a release tag, NetworkPolicies that select real pods and allow exactly the
 * flows the architecture needs, the broker's drain and CRL volume, the monitoring resources.
 * The manifests were never applied to a real cluster here; this is what can be checked without one.
 */
class KubernetesOverlaysTest {

    private static final Path DEPLOY = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path K8S = DEPLOY.resolve("k8s");
    private static final String NS = "fleetwarden";
    private static final List<String> WORKLOAD_KINDS = List.of("Deployment", "StatefulSet");
    /** The broker extension's worst-case flush on stop: sender join 10 s + producer close 10 s (KafkaForwarder). */
    private static final int FORWARDER_FLUSH_SECONDS = 20;

    static List<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Map<String, Object>> render(String overlay) {
        return Kustomize.render(K8S.resolve("overlays").resolve(overlay));
    }

    @Test
    void thereAreSmallAndLargeOverlays() throws IOException {
        assertThat(overlays()).contains("small", "large");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void rendersExactlyLikeKubectlKustomize(String overlay) throws Exception {
        Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed: the renderer is not compared with it here");
        Process p = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays").resolve(overlay).toString())
                .redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        Map<String, Object> expected = new TreeMap<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(out)) {
            expected.put(id(map(doc)), doc);
        }
        Map<String, Object> actual = new TreeMap<>();
        render(overlay).forEach(doc -> actual.put(id(doc), doc));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        actual.forEach((id, doc) -> assertThat(doc).as(id).isEqualTo(expected.get(id)));
    }

    @Test
    void theRendererRefusesWhatItDoesNotImplement(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\nnamePrefix: x-\n");
        assertThatThrownBy(() -> Kustomize.render(dir)).hasMessageContaining("namePrefix");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: []\npatches: [{path: p.yaml, target: {kind: Deployment}}]\n");
        assertThatThrownBy(() -> Kustomize.render(dir)).hasMessageContaining("only file patches");
        assertThat(Kustomize.apply("fleetwarden/broker", Map.of("name", "fleetwarden/broker", "newName", "r.example/b", "newTag", "1.0")))
                .isEqualTo("r.example/b:1.0");
        assertThat(Kustomize.apply("fleetwarden/broker-x:2", Map.of("name", "fleetwarden/broker", "newTag", "1.0")))
                .isEqualTo("fleetwarden/broker-x:2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void everyImageNamesARegistryAndAReleaseTag(String overlay) throws IOException {
        String release = changelogRelease();
        Set<String> parts = partImageNames();
        List<String> images = images(render(overlay));
        assertThat(images).hasSizeGreaterThanOrEqualTo(4);
        Pattern reference = Pattern.compile("([a-z0-9.-]+\\.[a-z]{2,}(?::\\d+)?)/(?:[a-z0-9._-]+/)*([a-z0-9._-]+):([A-Za-z0-9._-]+)");
        for (String image : images) {
            Matcher m = reference.matcher(image);
            assertThat(m.matches()).as(overlay + ": " + image + " names a registry host, a repository and a tag").isTrue();
            assertThat(m.group(1)).as(image).doesNotStartWith("localhost");
            assertThat(m.group(3)).as(image).isNotEqualTo("latest").isEqualTo(release);
            assertThat(parts).as(image + " is an image the build makes (parts.env)").contains(m.group(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void everyWorkloadHasProbesResourcesAndRunsAsNonRoot(String overlay) {
        List<Map<String, Object>> docs = render(overlay);
        List<Map<String, Object>> workloads = docs.stream().filter(d -> WORKLOAD_KINDS.contains(d.get("kind"))).toList();
        assertThat(workloads).extracting(Kustomize::name)
                .contains("fleetwarden-broker", "fleetwarden-dashboard-api", "fleetwarden-influxdb");
        for (Map<String, Object> w : workloads) {
            Map<String, Object> pod = map(map(map(w.get("spec")).get("template")).get("spec"));
            assertNonRoot(name(w), map(pod.get("securityContext")));
            for (Object c : list(pod.get("containers"))) {
                Map<String, Object> container = map(c);
                String what = overlay + " " + name(w) + "/" + container.get("name");
                assertThat(container).as(what + " probes").containsKeys("livenessProbe", "readinessProbe");
                Map<String, Object> resources = map(container.get("resources"));
                assertThat(map(resources.get("requests"))).as(what + " requests").containsKeys("cpu", "memory");
                assertThat(map(resources.get("limits"))).as(what + " memory limit").containsKey("memory");
                assertThat(map(container.get("securityContext"))).as(what + " securityContext")
                        .containsEntry("allowPrivilegeEscalation", false);
            }
        }
        Map<String, Object> flink = one(docs, "FlinkDeployment");
        Map<String, Object> flinkSpec = map(flink.get("spec"));
        assertNonRoot("FlinkDeployment", map(map(map(flinkSpec.get("podTemplate")).get("spec")).get("securityContext")));
        for (String role : List.of("jobManager", "taskManager")) {
            Map<String, Object> r = map(flinkSpec.get(role));
            assertThat(map(r.get("resource"))).as(role + " resource").containsKeys("cpu", "memory");
            Map<String, Object> container = map(list(map(map(r.get("podTemplate")).get("spec")).get("containers")).get(0));
            assertThat(container).as(role + " probes").containsEntry("name", "flink-main-container")
                    .containsKeys("livenessProbe", "readinessProbe");
        }
        for (Map<String, Object> pool : ofKind(docs, "KafkaNodePool")) {
            assertThat(map(map(map(pool.get("spec")).get("resources")).get("requests"))).containsKeys("cpu", "memory");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void environmentReferencesOnlyNamesDefinedBeforeThem(String overlay) {
        Pattern reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
        int references = 0;
        for (Map<String, Object> w : render(overlay)) {
            if (!WORKLOAD_KINDS.contains(w.get("kind"))) {
                continue;
            }
            for (Object c : list(map(map(map(w.get("spec")).get("template")).get("spec")).get("containers"))) {
                List<String> defined = new ArrayList<>();
                for (Object e : list(map(c).get("env"))) {
                    Matcher m = reference.matcher(String.valueOf(map(e).get("value")));
                    while (m.find()) {
                        references++;
                        assertThat(defined).as(overlay + " " + name(w) + ": $(" + m.group(1) + ") in " + map(e).get("name")
                                + " expands only if defined earlier").contains(m.group(1));
                    }
                    defined.add((String) map(e).get("name"));
                }
            }
        }
        assertThat(references).as("the broker id comes from $(POD_NAME)").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void everyWorkloadHasADisruptionBudget(String overlay) {
        List<Map<String, Object>> docs = render(overlay);
        List<Map<String, String>> budgets = ofKind(docs, "PodDisruptionBudget").stream()
                .map(b -> strings(map(map(map(b.get("spec")).get("selector")).get("matchLabels")))).toList();
        for (Pod pod : pods(docs)) {
            if (pod.labels().containsKey("strimzi.io/cluster")) {
                continue; // Strimzi's own budgets, checked below
            }
            assertThat(budgets).as(overlay + ": a PodDisruptionBudget selecting " + pod.labels())
                    .anySatisfy(selector -> assertThat(pod.labels().entrySet()).containsAll(selector.entrySet()));
        }
        Map<String, Object> kafka = map(map(one(docs, "Kafka").get("spec")).get("kafka"));
        assertThat(map(map(kafka.get("template")).get("podDisruptionBudget"))).containsEntry("maxUnavailable", 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void brokersDrainBeforeTheyStopAndReadTheirCrlsFromAConfigMap(String overlay) throws IOException {
        Map<String, Object> broker = workload(render(overlay), "fleetwarden-broker");
        Map<String, Object> pod = map(map(map(broker.get("spec")).get("template")).get("spec"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        List<Object> preStop = list(map(map(map(container.get("lifecycle")).get("preStop")).get("exec")).get("command"));
        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        int sleep = Integer.parseInt(preStop.get(1).toString());
        assertThat(sleep).as("seconds for load balancers to stop sending new devices").isGreaterThanOrEqualTo(10);
        assertThat((Integer) pod.get("terminationGracePeriodSeconds"))
                .as("grace covers the preStop wait, the forward buffer's flush and HiveMQ's stop")
                .isGreaterThanOrEqualTo(sleep + FORWARDER_FLUSH_SECONDS + 10);
        assertThat(map(map(map(container.get("readinessProbe")).get("httpGet")))).containsEntry("path", "/health/ready")
                .containsEntry("port", "metrics");
        assertThat(map(map(map(container.get("livenessProbe")).get("httpGet")))).containsEntry("path", "/health/live");
        assertThat(map(map(map(container.get("startupProbe")).get("httpGet")))).as("start-up waits for the extension")
                .containsEntry("path", "/health/live").containsEntry("port", "metrics");

        String javaOpts = list(container.get("env")).stream().map(Kustomize::map).filter(e -> "JAVA_OPTS".equals(e.get("name")))
                .map(e -> e.get("value").toString()).findFirst().orElseThrow();
        Matcher crlFolder = Pattern.compile("-Dfleetwarden\\.trust\\.crl-folder=(\\S+)").matcher(javaOpts);
        assertThat(crlFolder.find()).as("the broker is told where its CRLs are").isTrue();
        Map<String, Object> mount = list(container.get("volumeMounts")).stream().map(Kustomize::map)
                .filter(m -> crlFolder.group(1).equals(m.get("mountPath"))).findFirst().orElseThrow();
        Map<String, Object> volume = list(pod.get("volumes")).stream().map(Kustomize::map)
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst().orElseThrow();
        Map<String, Object> configMap = map(volume.get("configMap"));
        assertThat(configMap.get("optional")).as("a broker without its CRL source must not start").isNotEqualTo(true);
        assertThat(exampleResources()).as("the CRL ConfigMap is documented in secrets.example.yaml")
                .contains("ConfigMap/" + configMap.get("name"));
        assertThat(javaOpts).as("same broker settings as the base").contains("-Dfleetwarden.kafka.bootstrap-servers=",
                "-Dfleetwarden.trust.ca-certificates=", "-Dfleetwarden.broker-id=", "-Dfleetwarden.metrics.port=9399");
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void everyReferencedSecretOrConfigMapIsInTheExample(String overlay) throws IOException {
        Set<String> declared = new java.util.HashSet<>(exampleResources());
        // Strimzi issues a Secret per KafkaUser (its client certificate) and the cluster CA certificate
        render(overlay).stream().filter(d -> "KafkaUser".equals(d.get("kind"))).forEach(u -> declared.add("Secret/" + name(u)));
        declared.add("Secret/" + name(one(render(overlay), "Kafka")) + "-cluster-ca-cert");
        List<String> referenced = new ArrayList<>();
        collectReferences(render(overlay), referenced);
        assertThat(referenced).contains("Secret/fleetwarden-broker-tls", "ConfigMap/fleetwarden-crl",
                "Secret/fleetwarden-broker", "Secret/fleetwarden-dashboard-api", "Secret/fleetwarden-stream-jobs",
                "Secret/fleetwarden-cluster-ca-cert");
        assertThat(declared).containsAll(referenced);
        // and none of them is part of what an overlay applies (no placeholder ever reaches a cluster)
        assertThat(render(overlay)).noneMatch(d -> List.of("Secret", "ConfigMap").contains(d.get("kind")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void checkpointIntervalIsTheOneTheJobUses(String overlay) {
        Map<String, Object> spec = map(one(render(overlay), "FlinkDeployment").get("spec"));
        Map<String, Object> job = map(spec.get("job"));
        List<Object> args = list(job.get("args"));
        String interval = args.get(args.indexOf("--checkpoint-interval") + 1).toString();
        assertThat(map(spec.get("flinkConfiguration"))).containsEntry("execution.checkpointing.interval", interval);
        assertThat(args.get(args.indexOf("--parallelism") + 1)).isEqualTo(job.get("parallelism").toString());
    }

    @Test
    void theLargeOverlayIsSizedFromTheScaleModel() {
        List<Map<String, Object>> docs = render("large");
        assertThat(map(workload(docs, "fleetwarden-broker").get("spec")).get("replicas")).isEqualTo(60);
        assertThat(String.join(" ", envOf(workload(docs, "fleetwarden-broker"), "JAVA_OPTS"))).contains("-Xmx8g");
        assertThat(map(one(docs, "KafkaNodePool").get("spec")).get("replicas")).isEqualTo(6);
        Map<String, Object> flink = map(one(docs, "FlinkDeployment").get("spec"));
        int slots = Integer.parseInt(map(flink.get("flinkConfiguration")).get("taskmanager.numberOfTaskSlots").toString());
        assertThat(map(flink.get("job")).get("parallelism")).isEqualTo(16);
        assertThat(16 % slots).isZero();
        for (String topic : List.of("fleet.telemetry", "fleet.security-events")) {
            Map<String, Object> t = ofKind(docs, "KafkaTopic").stream()
                    .filter(d -> topic.equals(map(d.get("spec")).get("topicName"))).findFirst().orElseThrow();
            assertThat(map(t.get("spec")).get("partitions")).as(topic).isEqualTo(64);
        }
        // the small overlay keeps the base sizes
        assertThat(map(workload(render("small"), "fleetwarden-broker").get("spec")).get("replicas")).isEqualTo(2);
    }

    // ---- NetworkPolicies --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void everyNetworkPolicyAndPeerSelectsPodsThatExist(String overlay) {
        List<Map<String, Object>> docs = render(overlay);
        List<Pod> pods = pods(docs);
        List<Map<String, Object>> policies = ofKind(docs, "NetworkPolicy");
        assertThat(policies).hasSizeGreaterThanOrEqualTo(5);
        for (Map<String, Object> policy : policies) {
            Map<String, Object> spec = map(policy.get("spec"));
            Map<String, String> selector = selector(spec.get("podSelector"));
            assertThat(pods).as("pods selected by NetworkPolicy " + name(policy))
                    .anyMatch(p -> p.matches(selector));
            for (String direction : List.of("ingress", "egress")) {
                for (Object rule : list(spec.get(direction))) {
                    for (Object peer : list(map(rule).get("ingress".equals(direction) ? "from" : "to"))) {
                        Map<String, Object> pe = map(peer);
                        if (pe.containsKey("podSelector") && !pe.containsKey("namespaceSelector")) {
                            Map<String, String> s = selector(pe.get("podSelector"));
                            assertThat(pods).as(name(policy) + " peer " + s).anyMatch(p -> p.matches(s));
                        }
                    }
                }
            }
        }
        // Strimzi's listener policies admit exactly these peers
        for (Object listener : list(map(map(map(one(docs, "Kafka").get("spec")).get("kafka"))).get("listeners"))) {
            for (Object peer : list(map(listener).get("networkPolicyPeers"))) {
                Map<String, String> s = selector(map(peer).get("podSelector"));
                assertThat(pods).as("Kafka listener peer " + s).anyMatch(p -> p.matches(s));
            }
        }
    }

    @Test
    void networkPoliciesAllowExactlyTheFlowsTheArchitectureNeeds() {
        List<Map<String, Object>> docs = render("small");
        Network net = new Network(docs);
        Pod broker = net.pod("app.kubernetes.io/name", "fleetwarden-broker");
        Pod dashboard = net.pod("app.kubernetes.io/name", "fleetwarden-dashboard-api");
        Pod influx = net.pod("app.kubernetes.io/name", "fleetwarden-influxdb");
        Pod jobManager = net.pod("component", "jobmanager");
        Pod taskManager = net.pod("component", "taskmanager");
        Pod kafka = net.pod("strimzi.io/broker-role", "true");
        Pod internet = Pod.external();
        Pod ingress = Pod.inNamespace("ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"));
        Pod prometheus = Pod.inNamespace("monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
        Pod operator = Pod.inNamespace("flink-operator", Map.of("app.kubernetes.io/name", "flink-kubernetes-operator"));
        Pod dns = Pod.inNamespace("kube-system", Map.of("k8s-app", "kube-dns"));
        Pod intruder = Pod.inNamespace(NS, Map.of("app", "something-else"));

        // what must work
        assertThat(net.allows(internet, broker, 8883)).as("devices -> broker 8883").isTrue();
        for (Pod client : List.of(broker, dashboard, jobManager, taskManager)) {
            assertThat(net.allows(client, kafka, 9093)).as(client + " -> Kafka 9093").isTrue();
            assertThat(net.allows(client, kafka, 9092)).as(client + " -> no plaintext Kafka listener").isFalse();
            assertThat(net.allows(client, dns, 53)).as(client + " -> DNS").isTrue();
        }
        assertThat(net.allows(taskManager, influx, 8086)).as("jobs -> InfluxDB").isTrue();
        assertThat(net.allows(dashboard, influx, 8086)).as("API -> InfluxDB").isTrue();
        assertThat(net.allows(ingress, dashboard, 8080)).as("ingress -> API").isTrue();
        assertThat(net.allows(prometheus, broker, 9399)).isTrue();
        assertThat(net.allows(prometheus, dashboard, 8080)).isTrue();
        assertThat(net.allows(prometheus, taskManager, 9249)).isTrue();
        assertThat(net.allows(taskManager, jobManager, 6123)).isTrue();
        assertThat(net.allows(taskManager, jobManager, 6124)).isTrue();
        assertThat(net.allows(jobManager, taskManager, 6122)).isTrue();
        assertThat(net.allows(taskManager, taskManager, 6121)).isTrue();
        assertThat(net.allows(operator, jobManager, 8081)).isTrue();
        assertThat(net.allows(kafka, kafka, 9091)).as("Kafka replication").isTrue();
        assertThat(net.allows(kafka, kafka, 9090)).as("KRaft controllers").isTrue();

        // what must not
        for (Pod stranger : List.of(internet, intruder, ingress)) {
            assertThat(net.allows(stranger, kafka, 9093)).as(stranger + " -> Kafka").isFalse();
            assertThat(net.allows(stranger, influx, 8086)).as(stranger + " -> InfluxDB").isFalse();
            assertThat(net.allows(stranger, broker, 9399)).as(stranger + " -> broker metrics").isFalse();
            assertThat(net.allows(stranger, jobManager, 8081)).as(stranger + " -> Flink REST").isFalse();
        }
        assertThat(net.allows(internet, dashboard, 8080)).as("the API only behind the ingress controller").isFalse();
        assertThat(net.allows(intruder, dashboard, 8080)).isFalse();
        assertThat(net.allows(broker, influx, 8086)).as("brokers never write InfluxDB").isFalse();
        assertThat(net.allows(broker, dashboard, 8080)).isFalse();
        assertThat(net.allows(dashboard, broker, 8883)).isFalse();
        assertThat(net.allows(taskManager, broker, 8883)).isFalse();
        assertThat(net.allows(influx, kafka, 9093)).as("InfluxDB talks to nobody").isFalse();
        assertThat(net.allows(influx, internet, 443)).isFalse();
        assertThat(net.allows(broker, internet, 443)).as("brokers reach only Kafka and DNS").isFalse();
        assertThat(net.allows(dashboard, internet, 443)).isFalse();
        assertThat(net.allows(broker, kafka, 9091)).as("clients never reach the replication port").isFalse();
    }

    // ---- monitoring ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"small", "large"})
    void monitorsScrapePortsThatExistAndRulesAreValid(String overlay, @TempDir Path tmp) throws Exception {
        List<Map<String, Object>> docs = render(overlay);
        List<Map<String, Object>> monitors = ofKind(docs, "ServiceMonitor");
        assertThat(monitors).extracting(Kustomize::name).contains("fleetwarden-broker", "fleetwarden-dashboard-api");
        for (Map<String, Object> monitor : monitors) {
            Map<String, String> selector = selector(map(monitor.get("spec")).get("selector"));
            Set<Object> ports = ofKind(docs, "Service").stream()
                    .filter(s -> strings(map(map(s.get("metadata")).get("labels"))).entrySet().containsAll(selector.entrySet()))
                    .flatMap(s -> list(map(s.get("spec")).get("ports")).stream()).map(p -> map(p).get("name"))
                    .collect(Collectors.toSet());
            for (Object endpoint : list(map(monitor.get("spec")).get("endpoints"))) {
                assertThat(ports).as("ServiceMonitor " + name(monitor) + " port").contains(map(endpoint).get("port"));
            }
        }
        Map<String, Object> podMonitor = one(docs, "PodMonitor");
        Map<String, Object> flink = map(one(docs, "FlinkDeployment").get("spec"));
        Set<Object> flinkPorts = list(map(list(map(map(flink.get("podTemplate")).get("spec")).get("containers")).get(0)).get("ports"))
                .stream().map(p -> map(p).get("name")).collect(Collectors.toSet());
        for (Object endpoint : list(map(podMonitor.get("spec")).get("podMetricsEndpoints"))) {
            assertThat(flinkPorts).contains(map(endpoint).get("port"));
        }
        assertThat(map(flink.get("flinkConfiguration")).get("metrics.reporter.prom.port")).isEqualTo("9249");

        Map<String, Object> rules = one(docs, "PrometheusRule");
        List<Object> groups = list(map(rules.get("spec")).get("groups"));
        assertThat(groups).isNotEmpty();
        Assumptions.assumeTrue(onPath("promtool"), "promtool is not installed: rule syntax not checked here");
        Path file = tmp.resolve("rules.yaml");
        Files.writeString(file, new Yaml().dump(Map.of("groups", groups)));
        Process p = new ProcessBuilder("promtool", "check", "rules", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    // ---------------------------------------------------------------------------------------------

    /** A pod: its namespace, labels, and whether it is outside the cluster (then namespace is null). */
    record Pod(String namespace, Map<String, String> labels) {
        static Pod external() {
            return new Pod(null, Map.of());
        }

        static Pod inNamespace(String namespace, Map<String, String> labels) {
            return new Pod(namespace, labels);
        }

        boolean matches(Map<String, String> selector) {
            return namespace != null && labels.entrySet().containsAll(selector.entrySet());
        }

        @Override
        public String toString() {
            return namespace == null ? "outside the cluster" : namespace + labels;
        }
    }

    /** NetworkPolicy semantics (matchLabels, numeric TCP/UDP ports, ipBlock) plus Strimzi's listener policies. */
    static final class Network {
        private final List<Map<String, Object>> policies;
        private final List<Pod> pods;

        Network(List<Map<String, Object>> docs) {
            this.pods = pods(docs);
            this.policies = new ArrayList<>(ofKind(docs, "NetworkPolicy"));
            // Strimzi writes one ingress policy for the Kafka pods: listener ports from their
            // networkPolicyPeers (everyone when none), replication and controller ports from Kafka pods
            Map<String, Object> kafka = one(docs, "Kafka");
            String cluster = name(kafka);
            List<Object> ingress = new ArrayList<>();
            for (Object l : list(map(map(map(kafka.get("spec")).get("kafka"))).get("listeners"))) {
                Map<String, Object> rule = new LinkedHashMap<>();
                rule.put("ports", List.of(Map.of("protocol", "TCP", "port", map(l).get("port"))));
                if (map(l).containsKey("networkPolicyPeers")) {
                    rule.put("from", map(l).get("networkPolicyPeers"));
                }
                ingress.add(rule);
            }
            ingress.add(Map.of("from", List.of(Map.of("podSelector", Map.of("matchLabels", Map.of("strimzi.io/cluster", cluster)))),
                    "ports", List.of(Map.of("protocol", "TCP", "port", 9090), Map.of("protocol", "TCP", "port", 9091))));
            policies.add(Map.of("metadata", Map.of("name", "strimzi-generated", "namespace", NS), "spec", Map.of(
                    "podSelector", Map.of("matchLabels", Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka")),
                    "policyTypes", List.of("Ingress"), "ingress", ingress)));
        }

        Pod pod(String label, String value) {
            return pods.stream().filter(p -> value.equals(p.labels().get(label))).findFirst().orElseThrow();
        }

        boolean allows(Pod from, Pod to, int port) {
            return side(from, to, port, "Egress", "egress", "to") && side(to, from, port, "Ingress", "ingress", "from");
        }

        /** Whether the policies isolating {@code self} in one direction admit {@code other} on {@code port}. */
        private boolean side(Pod self, Pod other, int port, String type, String rulesKey, String peersKey) {
            if (self.namespace() == null || !NS.equals(self.namespace())) {
                return true; // not governed by these policies
            }
            boolean isolated = false;
            for (Map<String, Object> policy : policies) {
                Map<String, Object> spec = map(policy.get("spec"));
                if (!self.matches(selector(spec.get("podSelector"))) || !list(spec.get("policyTypes")).contains(type)) {
                    continue;
                }
                isolated = true;
                for (Object r : list(spec.get(rulesKey))) {
                    Map<String, Object> rule = map(r);
                    boolean portOk = !rule.containsKey("ports")
                            || list(rule.get("ports")).stream().anyMatch(p -> Integer.valueOf(port).equals(map(p).get("port")));
                    boolean peerOk = !rule.containsKey(peersKey)
                            || list(rule.get(peersKey)).stream().anyMatch(p -> peer(map(p), other));
                    if (portOk && peerOk) {
                        return true;
                    }
                }
            }
            return !isolated;
        }

        private static boolean peer(Map<String, Object> peer, Pod other) {
            if (peer.containsKey("ipBlock")) {
                String cidr = (String) map(peer.get("ipBlock")).get("cidr");
                assertThat(map(peer.get("ipBlock"))).doesNotContainKey("except");
                return "0.0.0.0/0".equals(cidr); // any address, pods included
            }
            if (other.namespace() == null) {
                return false;
            }
            boolean nsOk = peer.containsKey("namespaceSelector")
                    ? Map.of("kubernetes.io/metadata.name", other.namespace()).entrySet()
                            .containsAll(selector(peer.get("namespaceSelector")).entrySet())
                    : NS.equals(other.namespace());
            boolean podOk = !peer.containsKey("podSelector") || other.matches(selector(peer.get("podSelector")));
            return nsOk && podOk;
        }
    }

    /** Every pod the overlay creates in the namespace, including the ones the operators create for its custom resources. */
    static List<Pod> pods(List<Map<String, Object>> docs) {
        List<Pod> pods = new ArrayList<>();
        for (Map<String, Object> w : docs) {
            if (WORKLOAD_KINDS.contains(w.get("kind"))) {
                pods.add(new Pod(NS, strings(map(map(map(map(w.get("spec")).get("template")).get("metadata")).get("labels")))));
            }
        }
        // Flink Kubernetes Operator, native mode: app=<deployment>, component=jobmanager|taskmanager, type=flink-native-kubernetes
        for (Map<String, Object> f : ofKind(docs, "FlinkDeployment")) {
            for (String component : List.of("jobmanager", "taskmanager")) {
                pods.add(new Pod(NS, Map.of("app", name(f), "component", component, "type", "flink-native-kubernetes")));
            }
        }
        // Strimzi: node pool pods and the entity operator
        for (Map<String, Object> k : ofKind(docs, "Kafka")) {
            String cluster = name(k);
            for (Map<String, Object> pool : ofKind(docs, "KafkaNodePool")) {
                Map<String, String> labels = new LinkedHashMap<>(Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka",
                        "strimzi.io/name", cluster + "-kafka", "strimzi.io/pool-name", name(pool)));
                List<Object> roles = list(map(pool.get("spec")).get("roles"));
                labels.put("strimzi.io/broker-role", Boolean.toString(roles.contains("broker")));
                labels.put("strimzi.io/controller-role", Boolean.toString(roles.contains("controller")));
                pods.add(new Pod(NS, labels));
            }
            pods.add(new Pod(NS, Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka",
                    "strimzi.io/name", cluster + "-entity-operator")));
        }
        return pods;
    }

    private static void assertNonRoot(String what, Map<String, Object> securityContext) {
        assertThat(securityContext).as(what + " pod securityContext").containsEntry("runAsNonRoot", true);
        assertThat((Integer) securityContext.get("runAsUser")).as(what + " runAsUser").isPositive();
    }

    private static Map<String, String> selector(Object selector) {
        Map<String, Object> s = map(selector);
        assertThat(s).as("only matchLabels selectors are used").doesNotContainKey("matchExpressions");
        return strings(map(s.get("matchLabels")));
    }

    private static Map<String, String> strings(Map<String, Object> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> one(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = ofKind(docs, kind);
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> workload(List<Map<String, Object>> docs, String name) {
        return docs.stream().filter(d -> WORKLOAD_KINDS.contains(d.get("kind")) && name.equals(name(d))).findFirst().orElseThrow();
    }

    private static List<String> envOf(Map<String, Object> workload, String env) {
        Map<String, Object> pod = map(map(map(workload.get("spec")).get("template")).get("spec"));
        return list(pod.get("containers")).stream().flatMap(c -> list(map(c).get("env")).stream()).map(Kustomize::map)
                .filter(e -> env.equals(e.get("name"))).map(e -> String.valueOf(e.get("value"))).toList();
    }

    private static List<String> images(List<Map<String, Object>> docs) {
        List<String> images = new ArrayList<>();
        for (Map<String, Object> doc : docs) {
            collectImages(doc, null, images);
            if ("FlinkDeployment".equals(doc.get("kind"))) {
                images.add((String) map(doc.get("spec")).get("image"));
            }
        }
        return images;
    }

    private static void collectImages(Object node, String parentKey, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> collectImages(v, (String) k, out));
            if (("containers".equals(parentKey) || "initContainers".equals(parentKey)) && m.get("image") instanceof String image) {
                out.add(image);
            }
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectImages(v, parentKey, out));
        }
    }

    private static void collectReferences(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            if (m.get("secretName") instanceof String s) {
                out.add("Secret/" + s);
            }
            if (m.get("secretKeyRef") instanceof Map<?, ?> ref) {
                out.add("Secret/" + ref.get("name"));
            }
            if (m.get("configMap") instanceof Map<?, ?> cm) {
                out.add("ConfigMap/" + cm.get("name"));
            }
            m.values().forEach(v -> collectReferences(v, out));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectReferences(v, out));
        }
    }

    private static Set<String> exampleResources() {
        return Kustomize.load(K8S.resolve("secrets.example.yaml")).stream().map(Kustomize::map)
                .map(d -> d.get("kind") + "/" + name(d)).collect(Collectors.toSet());
    }

    private static Set<String> partImageNames() throws IOException {
        Set<String> names = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("(?m)^FW_[A-Z_]+_IMAGE=(\\S+)$").matcher(Files.readString(DEPLOY.resolve("parts.env")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The newest released version in CHANGELOG.md ("## [x.y.z] - date"). */
    static String changelogRelease() throws IOException {
        Matcher m = Pattern.compile("(?m)^## \\[(\\d+\\.\\d+\\.\\d+)]").matcher(Files.readString(DEPLOY.resolveSibling("CHANGELOG.md")));
        assertThat(m.find()).as("a released version in CHANGELOG.md").isTrue();
        return m.group(1);
    }

    private static String id(Map<String, Object> doc) {
        return doc.get("kind") + "/" + Kustomize.namespace(doc) + "/" + name(doc);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
