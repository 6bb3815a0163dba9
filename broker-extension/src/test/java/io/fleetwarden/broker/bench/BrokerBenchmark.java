package io.fleetwarden.broker.bench;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.time.Instant;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

import io.fleetwarden.broker.forward.KafkaForwarder;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.broker.it.BrokerFixture;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.PayloadValidationException;
import io.fleetwarden.broker.launcher.DeferredClientTrust;
import io.fleetwarden.broker.launcher.FleetwardenBroker;
import io.fleetwarden.broker.launcher.TlsRenegotiation;
import io.fleetwarden.broker.launcher.LauncherConfig;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;
import io.fleetwarden.testsupport.TopicSpec;
import io.fleetwarden.testsupport.Ports;

/**
 * Extension overhead benchmark (not a test): QoS 1 publish throughput and mutual-TLS connects per
 * second through the same embedded HiveMQ and the same TLS listener in four configurations (see
 * {@link Phase}): a permit-all extension (the baseline), the same with a no-op publish interceptor (the cost of
 * the hook alone), a forward-only extension (the floor of any extension that forwards every publish to Kafka),
 * and the packaged Fleetwarden extension, all forwarding to a real
 * in-process Kafka. Prints throughput, CPU per publish and per connect of the broker's own threads (the broker's
 * capacity, independent of what else shares the machine), and the ratios (target >= 0.95).
 *
 * <p>Fairness: the in-process Kafka broker runs during every phase; the phase order rotates between rounds so
 * machine-load drift hits all; all publish payloads are serialised before the clock starts (only MQTT work is
 * timed); the reported figures are medians of the rounds, and each round's own ratios are printed too.
 *
 * <p>Run: {@code ./mvnw -pl broker-extension -am -Pbench -DskipTests package}
 */
public final class BrokerBenchmark {

    static final char[] PW = "bench-only-pw".toCharArray();
    static final int CONNECTS = Integer.getInteger("bench.connects", 500);
    static final int DEVICES = Integer.getInteger("bench.devices", 20);
    static final int MESSAGES = Integer.getInteger("bench.messages", 5000);
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    /**
     * Connects and publishes per device before the clock starts. The packaged extension is loaded by a fresh class
     * loader in every Fleetwarden phase, so its code (and the Kafka producer inside its zip) starts cold each time,
     * while the baseline phases run code the JVM has compiled since the first phase: the warm-up must be long enough
     * for the JIT to compile the extension's per-connect and per-batch paths too.
     */
    static final int WARMUP_CONNECTS = Integer.getInteger("bench.warmup-connects", 40);
    static final int WARMUP_MESSAGES = Integer.getInteger("bench.warmup-messages", MESSAGES / 5);
    /**
     * A folder: each timed window (the connects, the publishes) of each phase and round is recorded with JDK Flight
     * Recorder (CPU samples every 2 ms, allocation samples) into {@code <phase>-r<round>-<connect|publish>.jfr}
     * there, so a profile covers exactly what the figures measure; unset: no recording.
     */
    static final String JFR_DIR = System.getProperty("bench.jfr");
    /** The phase being measured and its round (names the recordings of {@link #JFR_DIR}). */
    static volatile String current = "phase";
    /** The in-process Kafka's address, and whether the phase being measured forwards to it. */
    static volatile String KAFKA_BOOTSTRAP;
    static final java.util.concurrent.atomic.AtomicBoolean FORWARDING = new java.util.concurrent.atomic.AtomicBoolean();
    /** {@code all} (default), or one of {@code permit-all}, {@code forward-only}, {@code fleetwarden}, e.g. to profile it. */
    static final String PHASES = System.getProperty("bench.phases", "all");

    /**
     * @param brokerMicrosPerPublish CPU microseconds per publish of the MQTT broker's threads (HiveMQ and the
     *                               extension, including its Kafka producer) during the timed publish phase
     * @param kafkaMicrosPerPublish  same for the in-process Kafka broker (a separate cluster in production)
     * @param clientMicrosPerPublish same for the load-generating MQTT clients
     */
    record Result(double connectsPerSecond, double publishesPerSecond, double brokerMicrosPerPublish,
                  double kafkaMicrosPerPublish, double clientMicrosPerPublish, double brokerMicrosPerConnect) {
        @Override
        public String toString() {
            return String.format("connects/s %.1f (broker CPU %.0f µs/connect), publishes/s %.0f, "
                            + "CPU µs/publish broker %.1f kafka %.1f clients %.1f",
                    connectsPerSecond, brokerMicrosPerConnect, publishesPerSecond, brokerMicrosPerPublish,
                    kafkaMicrosPerPublish, clientMicrosPerPublish);
        }
    }

    /** One configuration of the broker under test. */
    enum Phase {
        /** Permit-all authenticator, nothing else: the baseline of the issue. */
        PERMIT_ALL("permit-all"),
        /**
         * Permit-all plus a publish interceptor that does nothing: what HiveMQ's extension hook alone costs per
         * publish (an extension task and its input and output objects), before any work in it.
         */
        INTERCEPT_ONLY("intercept-only"),
        /**
         * Permit-all plus the least any forwarding extension must do per publish under the event contract: one
         * publish interceptor that forwards a fixed Telemetry record (Avro) through the same {@link KafkaForwarder}
         * and producer settings, and takes the publish out of routing. The record is built once per device and
         * carries what the contract puts on every telemetry record: tenant, device id and the broker context of
         * the connection (source address, TLS parameters, certificate serial, fingerprint and expiry), so it is as
         * large as Fleetwarden's. It also records every connect and disconnect as a security event (the contract's
         * other per-device duty), through a lifecycle listener like Fleetwarden's. No identity check, no
         * validation, no other events. Its ratio to
         * permit-all is the ceiling for any extension that forwards every publish to Kafka.
         *
         * <p>Alike with the Fleetwarden phase (checked 2026-12-06): the same HiveMQ config.xml from the launcher
         * (one TLS listener, TLS 1.3 and 1.2, the same AEAD suites, client certificate OPTIONAL with the launcher's
         * deferred client trust), the same client TLS settings (TLS 1.3; with {@code bench.threads} each forwarding
         * phase prints the protocol and suite its records carry), the same producer settings and forwarder, one record
         * per publish, the publish answered the same way (delivery prevented with SUCCESS, one PUBACK). Each record
         * carries the broker's receive time of its publish, as the contract requires of every record: a floor that
         * sent the same bytes for every publish of a device (as this phase did before 2026-12-06) gave lz4 and the
         * producer's network thread runs of identical records, about 0.6 of the bytes per batch of Fleetwarden's.
         */
        FORWARD_ONLY("forward-only"),
        /**
         * Forward-only plus the payload validation every publish must get under the event contract: the interceptor
         * copies the payload out of HiveMQ's buffer and validates it with the event model's {@link DevicePayloads}
         * (the same parser, schema and value checks Fleetwarden's {@code PublishValidator} calls) and forwards what
         * the contract says a telemetry record is: the validated payload mapped to its record
         * ({@link DevicePayloads#toTelemetry}, about 0.06 µs alone) with the device's ready-made identity and broker
         * context and the receive time. The difference to forward-only is what validating each payload (and carrying
         * its values) costs in the broker; the difference to Fleetwarden is everything else Fleetwarden does per
         * publish: the session, topic and quarantine checks, the rate limit, the clock-skew check and the metrics.
         */
        FORWARD_VALIDATE("forward-validate"),
        /** The packaged Fleetwarden extension. */
        FLEETWARDEN("fleetwarden"),
        /**
         * Another build of the packaged extension, from the zip named by {@code bench.baseline-zip} (e.g. the
         * extension before a change), so that before and after are measured in the same run; only run when named in
         * {@code bench.phases}.
         */
        FLEETWARDEN_BASELINE("fleetwarden-baseline");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /** The phases of a default run ({@code bench.phases=all}). */
    static final List<Phase> MAIN_PHASES = List.of(Phase.PERMIT_ALL, Phase.INTERCEPT_ONLY, Phase.FORWARD_ONLY,
            Phase.FORWARD_VALIDATE, Phase.FLEETWARDEN);

    public static void main(String[] args) throws Exception {
        // The JDK reads this once, at the JVM's first server handshake: the permit-all phases must not read it
        // unset before the launcher of the Fleetwarden phase checks it (it refuses to serve otherwise).
        TlsRenegotiation.refuseClientInitiated();
        if (args.length > 0) {
            System.setProperty("fleetwarden.it.extension-zip",
                    Path.of(args[0]).resolve("broker-extension-0.1.0-SNAPSHOT-hivemq-extension.zip").toString());
        }
        List<Phase> phases = PHASES.equals("both") || PHASES.equals("all") ? MAIN_PHASES
                : java.util.Arrays.stream(PHASES.split(",")).map(String::trim)
                        .map(name -> Phase.valueOf(name.toUpperCase().replace('-', '_'))).toList();
        try (KafkaExtension kafka = KafkaExtension.builder().topic(Topics.TELEMETRY, 3).topic(Topics.SECURITY_EVENTS, 3)
                .topic(TopicSpec.compacted(Topics.DEVICE_CONTROLS)).build()) {
            kafka.start();
            KAFKA_BOOTSTRAP = kafka.bootstrapServers();
            Map<Phase, List<Result>> results = new java.util.EnumMap<>(Phase.class);
            for (int round = 0; round < ROUNDS; round++) {
                // rotate which phase goes first, so a load change on the shared machine does not favour one
                for (int i = 0; i < phases.size(); i++) {
                    Phase phase = phases.get((i + round) % phases.size());
                    current = phase.label + "-r" + (round + 1);
                    FORWARDING.set(phase != Phase.PERMIT_ALL && phase != Phase.INTERCEPT_ONLY);
                    Result r = switch (phase) {
                        case PERMIT_ALL -> permitAll(null, false, false);
                        case INTERCEPT_ONLY -> permitAll(null, true, false);
                        case FORWARD_ONLY -> permitAll(kafka.bootstrapServers(), true, false);
                        case FORWARD_VALIDATE -> permitAll(kafka.bootstrapServers(), true, true);
                        case FLEETWARDEN -> fleetwarden(kafka.bootstrapServers(), null);
                        case FLEETWARDEN_BASELINE -> fleetwarden(kafka.bootstrapServers(),
                                System.getProperty("bench.baseline-zip"));
                    };
                    results.computeIfAbsent(phase, p -> new ArrayList<>()).add(r);
                    System.out.printf("round %d %-12s %s%n", round + 1, phase.label, r);
                }
                if (phases.equals(MAIN_PHASES)) {
                    Result b = results.get(Phase.PERMIT_ALL).get(round);
                    Result h = results.get(Phase.INTERCEPT_ONLY).get(round);
                    Result f = results.get(Phase.FORWARD_ONLY).get(round);
                    Result o = results.get(Phase.FLEETWARDEN).get(round);
                    System.out.printf("round %d ratios vs permit-all: publishes intercept-only %.3f forward-only %.3f "
                                    + "fleetwarden %.3f | broker CPU intercept-only %.3f forward-only %.3f fleetwarden %.3f"
                                    + " | connects fleetwarden %.3f%n",
                            round + 1, h.publishesPerSecond() / b.publishesPerSecond(),
                            f.publishesPerSecond() / b.publishesPerSecond(),
                            o.publishesPerSecond() / b.publishesPerSecond(),
                            b.brokerMicrosPerPublish() / h.brokerMicrosPerPublish(),
                            b.brokerMicrosPerPublish() / f.brokerMicrosPerPublish(),
                            b.brokerMicrosPerPublish() / o.brokerMicrosPerPublish(),
                            o.connectsPerSecond() / b.connectsPerSecond());
                    targets("round " + (round + 1), b, f, results.get(Phase.FORWARD_VALIDATE).get(round), o);
                } else {
                    if (phases.contains(Phase.FORWARD_ONLY) && phases.contains(Phase.FLEETWARDEN)) {
                        publishTarget("round " + (round + 1), results.get(Phase.FORWARD_ONLY).get(round),
                                results.get(Phase.FLEETWARDEN).get(round));
                    }
                    if (phases.contains(Phase.FORWARD_VALIDATE) && phases.contains(Phase.FLEETWARDEN)) {
                        validateTarget("round " + (round + 1), phases.contains(Phase.FORWARD_ONLY)
                                        ? results.get(Phase.FORWARD_ONLY).get(round) : null,
                                results.get(Phase.FORWARD_VALIDATE).get(round), results.get(Phase.FLEETWARDEN).get(round));
                    }
                    if (phases.contains(Phase.FORWARD_ONLY) && phases.contains(Phase.FLEETWARDEN_BASELINE)) {
                        publishTarget("round " + (round + 1) + " (baseline build)",
                                results.get(Phase.FORWARD_ONLY).get(round), results.get(Phase.FLEETWARDEN_BASELINE).get(round));
                    }
                }
            }
            if (!phases.equals(MAIN_PHASES) && phases.contains(Phase.FORWARD_ONLY)
                    && phases.contains(Phase.FLEETWARDEN)) {
                publishTarget("medians", median(results.get(Phase.FORWARD_ONLY)), median(results.get(Phase.FLEETWARDEN)));
            }
            if (!phases.equals(MAIN_PHASES) && phases.contains(Phase.FORWARD_VALIDATE) && phases.contains(Phase.FLEETWARDEN)) {
                validateTarget("medians", phases.contains(Phase.FORWARD_ONLY) ? median(results.get(Phase.FORWARD_ONLY)) : null,
                        median(results.get(Phase.FORWARD_VALIDATE)), median(results.get(Phase.FLEETWARDEN)));
            }
            if (phases.contains(Phase.FORWARD_ONLY) && phases.contains(Phase.FLEETWARDEN_BASELINE)) {
                publishTarget("medians (baseline build)", median(results.get(Phase.FORWARD_ONLY)),
                        median(results.get(Phase.FLEETWARDEN_BASELINE)));
            }
            if (!phases.equals(MAIN_PHASES)) {
                System.exit(0);
            }
            Result b = median(results.get(Phase.PERMIT_ALL));
            Result h = median(results.get(Phase.INTERCEPT_ONLY));
            Result f = median(results.get(Phase.FORWARD_ONLY));
            Result o = median(results.get(Phase.FLEETWARDEN));
            Result v = median(results.get(Phase.FORWARD_VALIDATE));
            System.out.printf("%nmedian of %d rounds          permit-all  forward-only   fleetwarden   fleetwarden/permit-all%n", ROUNDS);
            System.out.printf("mTLS connects/s           %10.1f    %10.1f    %10.1f    %.3f%n",
                    b.connectsPerSecond(), f.connectsPerSecond(), o.connectsPerSecond(),
                    o.connectsPerSecond() / b.connectsPerSecond());
            System.out.printf("broker CPU µs/connect     %10.0f    %10.0f    %10.0f    %.3f   (broker capacity ratio)%n",
                    b.brokerMicrosPerConnect(), f.brokerMicrosPerConnect(), o.brokerMicrosPerConnect(),
                    b.brokerMicrosPerConnect() / o.brokerMicrosPerConnect());
            System.out.printf("QoS1 publishes/s          %10.0f    %10.0f    %10.0f    %.3f   (forward-only/permit-all %.3f)%n",
                    b.publishesPerSecond(), f.publishesPerSecond(), o.publishesPerSecond(),
                    o.publishesPerSecond() / b.publishesPerSecond(), f.publishesPerSecond() / b.publishesPerSecond());
            System.out.printf("broker CPU µs/publish     %10.1f    %10.1f    %10.1f    %.3f   (forward-only %.3f; broker capacity ratios)%n",
                    b.brokerMicrosPerPublish(), f.brokerMicrosPerPublish(), o.brokerMicrosPerPublish(),
                    b.brokerMicrosPerPublish() / o.brokerMicrosPerPublish(),
                    b.brokerMicrosPerPublish() / f.brokerMicrosPerPublish());
            System.out.printf("intercept-only (no-op interceptor): %.0f publishes/s (%.3f of permit-all), broker CPU %.1f µs/publish "
                            + "(capacity %.3f)%n", h.publishesPerSecond(), h.publishesPerSecond() / b.publishesPerSecond(),
                    h.brokerMicrosPerPublish(), b.brokerMicrosPerPublish() / h.brokerMicrosPerPublish());
            System.out.printf("Kafka broker CPU µs/pub   %10.1f    %10.1f    %10.1f%n",
                    b.kafkaMicrosPerPublish(), f.kafkaMicrosPerPublish(), o.kafkaMicrosPerPublish());
            System.out.printf("MQTT clients CPU µs/pub   %10.1f    %10.1f    %10.1f%n",
                    b.clientMicrosPerPublish(), f.clientMicrosPerPublish(), o.clientMicrosPerPublish());
            System.out.printf("intercept-only connects/s %.1f, broker CPU %.0f µs/connect%n", h.connectsPerSecond(),
                    h.brokerMicrosPerConnect());
            System.out.printf("forward-validate: %.0f publishes/s, broker CPU %.1f µs/publish, %.0f µs/connect%n",
                    v.publishesPerSecond(), v.brokerMicrosPerPublish(), v.brokerMicrosPerConnect());
            targets("medians", b, f, v, o);
        }
        System.exit(0);
    }

    /**
     * The targets: publishes against the forward-only floor (throughput and broker CPU per publish, both
     * >= 0.90), connects against permit-all (connects/s and broker CPU per connect, both >= 0.95), with the
     * forward-only floor's own connect ratios beside them.
     */
    static void targets(String label, Result permitAll, Result forwardOnly, Result forwardValidate, Result fleetwarden) {
        System.out.printf("%s targets: publishes/s fleetwarden/forward-only %.3f, broker CPU per publish "
                        + "forward-only/fleetwarden %.3f (%.1f vs %.1f µs) | connects/s fleetwarden/permit-all %.3f, "
                        + "broker CPU per connect permit-all/fleetwarden %.3f (%.0f vs %.0f µs); forward-only/permit-all "
                        + "%.3f and %.3f%n", label,
                fleetwarden.publishesPerSecond() / forwardOnly.publishesPerSecond(),
                forwardOnly.brokerMicrosPerPublish() / fleetwarden.brokerMicrosPerPublish(),
                fleetwarden.brokerMicrosPerPublish(), forwardOnly.brokerMicrosPerPublish(),
                fleetwarden.connectsPerSecond() / permitAll.connectsPerSecond(),
                permitAll.brokerMicrosPerConnect() / fleetwarden.brokerMicrosPerConnect(),
                fleetwarden.brokerMicrosPerConnect(), permitAll.brokerMicrosPerConnect(),
                forwardOnly.connectsPerSecond() / permitAll.connectsPerSecond(),
                permitAll.brokerMicrosPerConnect() / forwardOnly.brokerMicrosPerConnect());
        validateTarget(label, forwardOnly, forwardValidate, fleetwarden);
        System.out.printf("%s connects against forward-only with connect events (the floor under the event contract): "
                        + "connects/s fleetwarden/forward-only %.3f, broker CPU per connect forward-only/fleetwarden %.3f "
                        + "(%.0f vs %.0f µs)%n", label,
                fleetwarden.connectsPerSecond() / forwardOnly.connectsPerSecond(),
                forwardOnly.brokerMicrosPerConnect() / fleetwarden.brokerMicrosPerConnect(),
                fleetwarden.brokerMicrosPerConnect(), forwardOnly.brokerMicrosPerConnect());
    }

    /** The publish target alone, for runs of some phases only ({@code bench.phases=forward-only,fleetwarden}). */
    static void publishTarget(String label, Result forwardOnly, Result fleetwarden) {
        System.out.printf("%s publish target: publishes/s fleetwarden/forward-only %.3f, broker CPU per publish "
                        + "forward-only/fleetwarden %.3f (%.1f vs %.1f µs); broker CPU per connect %.0f vs %.0f µs "
                        + "(forward-only with connect events / fleetwarden %.3f)%n", label,
                fleetwarden.publishesPerSecond() / forwardOnly.publishesPerSecond(),
                forwardOnly.brokerMicrosPerPublish() / fleetwarden.brokerMicrosPerPublish(),
                fleetwarden.brokerMicrosPerPublish(), forwardOnly.brokerMicrosPerPublish(),
                fleetwarden.brokerMicrosPerConnect(), forwardOnly.brokerMicrosPerConnect(),
                forwardOnly.brokerMicrosPerConnect() / fleetwarden.brokerMicrosPerConnect());
    }

    /**
     * Fleetwarden against the floor that also validates each payload (forward-validate), and how much of the gap to
     * forward-only that validation is.
     */
    static void validateTarget(String label, Result forwardOnly, Result forwardValidate, Result fleetwarden) {
        System.out.printf("%s against forward-validate: publishes/s fleetwarden/forward-validate %.3f, broker CPU per "
                        + "publish forward-validate/fleetwarden %.3f (%.1f vs %.1f µs)%s%n", label,
                fleetwarden.publishesPerSecond() / forwardValidate.publishesPerSecond(),
                forwardValidate.brokerMicrosPerPublish() / fleetwarden.brokerMicrosPerPublish(),
                fleetwarden.brokerMicrosPerPublish(), forwardValidate.brokerMicrosPerPublish(),
                forwardOnly == null ? "" : String.format("; forward-only/forward-validate %.3f (validation %.1f of the "
                                + "%.1f µs between forward-only and fleetwarden)",
                        forwardOnly.brokerMicrosPerPublish() / forwardValidate.brokerMicrosPerPublish(),
                        forwardValidate.brokerMicrosPerPublish() - forwardOnly.brokerMicrosPerPublish(),
                        fleetwarden.brokerMicrosPerPublish() - forwardOnly.brokerMicrosPerPublish()));
    }

    static Result median(List<Result> rs) {
        return new Result(median(rs.stream().mapToDouble(Result::connectsPerSecond).sorted().toArray()),
                median(rs.stream().mapToDouble(Result::publishesPerSecond).sorted().toArray()),
                median(rs.stream().mapToDouble(Result::brokerMicrosPerPublish).sorted().toArray()),
                median(rs.stream().mapToDouble(Result::kafkaMicrosPerPublish).sorted().toArray()),
                median(rs.stream().mapToDouble(Result::clientMicrosPerPublish).sorted().toArray()),
                median(rs.stream().mapToDouble(Result::brokerMicrosPerConnect).sorted().toArray()));
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Same listener, a permit-all extension; with {@code intercept}, also a publish interceptor: a no-op one, or
     * with {@code forwardTo} set the forward-only one.
     */
    static Result permitAll(String forwardTo, boolean intercept, boolean validate) throws Exception {
        TestPki pki = TestPki.create("acme");
        Path dir = Files.createTempDirectory("bench-base");
        int port = Ports.freePort();
        Properties p = new Properties();
        p.setProperty("listener.port", Integer.toString(port));
        p.setProperty("listener.bind-address", "127.0.0.1");
        p.setProperty("tls.keystore.path", pki.serverCertificate().writeKeyStore(dir, PW).toString());
        p.setProperty("tls.keystore.password", new String(PW));
        p.setProperty("tls.truststore.path", pki.writeTrustStore(dir, PW).toString());
        p.setProperty("tls.truststore.password", new String(PW));
        p.setProperty("kafka.bootstrap-servers", "127.0.0.1:1");
        p.setProperty("broker.id", "bench");
        LauncherConfig config = LauncherConfig.from(p, dir);
        DeferredClientTrust.install();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), FleetwardenBroker.hivemqConfig(config));
        EmbeddedExtension permitAll = EmbeddedExtension.builder().withId("permit-all").withName("permit-all")
                .withVersion("1").withPriority(1000).withExtensionMain(new PermitAll(forwardTo, intercept, validate)).build();
        try (EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(dir.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(dir.resolve("ext")))
                .withEmbeddedExtension(permitAll).build()) {
            hivemq.start().get(120, TimeUnit.SECONDS);
            long failuresBefore = FORWARD_FAILURES.get();
            Result r = measure(pki, port);
            hivemq.stop().get(60, TimeUnit.SECONDS);
            if (FORWARD_FAILURES.get() != failuresBefore) {
                // HiveMQ swallows an interceptor's exception and routes the publish: the figures would be wrong
                throw new IllegalStateException((FORWARD_FAILURES.get() - failuresBefore)
                        + " publishes were not forwarded in the forward-only phase");
            }
            return r;
        }
    }

    /** Publishes the forward-only interceptor failed to forward (the run is then refused). */
    static final java.util.concurrent.atomic.AtomicLong FORWARD_FAILURES = new java.util.concurrent.atomic.AtomicLong();

    /** @param zip the packaged extension to load, or null for this build's (as {@link BrokerFixture} finds it) */
    static Result fleetwarden(String bootstrap, String zip) throws Exception {
        String own = System.getProperty("fleetwarden.it.extension-zip");
        if (zip != null) {
            System.setProperty("fleetwarden.it.extension-zip", zip);
        }
        // the rate limit out of the way; the CRL folder checked at the shipped interval (the fixture's 0.5 s is for
        // tests that revoke a certificate)
        try (BrokerFixture fx = new BrokerFixture(bootstrap, Map.of(
                "fleetwarden.validation.rate-limit-per-second", "1000000",
                "fleetwarden.validation.rate-limit-burst", "1000000",
                "fleetwarden.trust.crl-reload-interval", "PT5S"), (pki, crl) -> { })) {
            return measure(fx.pki, fx.port);
        } finally {
            if (own != null) {
                System.setProperty("fleetwarden.it.extension-zip", own);
            } else {
                System.clearProperty("fleetwarden.it.extension-zip");
            }
        }
    }

    static MqttClientSslConfig ssl(TestPki pki, TestCredential cred) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore ks = cred.keyStore(PW);
        kmf.init(ks, PW);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(pki.trustStore(PW));
        return MqttClientSslConfig.builder().keyManagerFactory(kmf).trustManagerFactory(tmf)
                .protocols(List.of("TLSv1.3")).build();
    }

    static Result measure(TestPki pki, int port) throws Exception {
        List<MqttClientSslConfig> configs = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            configs.add(ssl(pki, pki.deviceCertificate("acme", "bench-" + i)));
        }
        // Warm-up of both paths before either clock starts: the publishes also warm the code the connect window uses
        // (the Kafka producer's send path, Avro encoding), which in a Fleetwarden phase is a fresh class loader's copy
        // while the baseline phases reuse what the JVM compiled in earlier phases; a connect window measured before
        // the publish warm-up charged the fresh copy's JIT warm-up to Fleetwarden's connects.
        connectLoop(configs, port, WARMUP_CONNECTS);
        List<Mqtt5AsyncClient> warmClients = connectAll(configs, port);
        publishAll(warmClients, payloads(WARMUP_MESSAGES));
        disconnectAll(warmClients);
        jdk.jfr.Recording connectRecording = record();
        CpuByRole connectCpuBefore = CpuByRole.snapshot();
        long t0 = System.nanoTime();
        connectLoop(configs, port, CONNECTS);
        double connectsPerSecond = CONNECTS / ((System.nanoTime() - t0) / 1e9);
        CpuByRole connectCpuAfter = CpuByRole.snapshot();
        dump(connectRecording, "connect");
        double brokerMicrosPerConnect = connectCpuAfter.since(connectCpuBefore).get(CpuByRole.Role.BROKER)
                / (double) CONNECTS / 1e3;
        if (Boolean.getBoolean("bench.threads")) {
            connectCpuAfter.byThreadGroup(connectCpuBefore, CpuByRole.Role.BROKER).forEach((name, nanos) ->
                    System.out.printf("  connect CPU %-60s %8.1f µs/connect%n", name, nanos / (double) CONNECTS / 1e3));
        }

        List<Mqtt5AsyncClient> clients = connectAll(configs, port);
        // made now, so their device timestamps are as fresh as the broker's clock (no clock-skew findings)
        List<byte[]> payloads = payloads(MESSAGES);
        jdk.jfr.Recording publishRecording = record();
        long[] gcBefore = gc();
        CpuByRole cpuBefore = CpuByRole.snapshot();
        long t1 = System.nanoTime();
        publishAll(clients, payloads);
        double publishesPerSecond = (double) DEVICES * MESSAGES / ((System.nanoTime() - t1) / 1e9);
        CpuByRole cpuAfter = CpuByRole.snapshot();
        long[] gcAfter = gc();
        dump(publishRecording, "publish");
        if (Boolean.getBoolean("bench.threads")) {
            producerMetrics();
            if (FORWARDING.get()) {
                printNegotiated();
            }
        }
        Map<CpuByRole.Role, Long> cpu = cpuAfter.since(cpuBefore);
        double n = (double) DEVICES * MESSAGES;
        if (Boolean.getBoolean("bench.threads")) {
            cpuAfter.byThreadGroup(cpuBefore, CpuByRole.Role.BROKER).forEach((name, nanos) ->
                    System.out.printf("  publish CPU %-60s %8.2f µs/publish%n", name, nanos / n / 1e3));
            cpuAfter.allocatedByThreadGroup(cpuBefore, CpuByRole.Role.BROKER).forEach((name, bytes) ->
                    System.out.printf("  publish allocated %-54s %8.0f B/publish%n", name, bytes / n));
            cpuAfter.switchesSince(cpuBefore).forEach((comm, switches) ->
                    System.out.printf("  publish context switches %-47s %8.3f /publish%n", comm, switches / n));
            System.out.printf("  publish GC %d collections, %d ms (all threads; GC threads count as kafka)%n",
                    gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
        }
        disconnectAll(clients);
        return new Result(connectsPerSecond, publishesPerSecond, cpu.get(CpuByRole.Role.BROKER) / n / 1e3,
                cpu.get(CpuByRole.Role.KAFKA) / n / 1e3, cpu.get(CpuByRole.Role.CLIENTS) / n / 1e3, brokerMicrosPerConnect);
    }

    /**
     * What the forwarder's Kafka producer reports about the records and batches it sent recently (its metrics average
     * over the last 30 s or so, i.e. mostly the timed publishes): how large a record is, how full a batch, how well
     * it compresses and how many records share a produce request.
     */
    static void producerMetrics() {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        try {
            for (javax.management.ObjectName name : server.queryNames(new javax.management.ObjectName(
                    "kafka.producer:type=producer-metrics,client-id=*"), null)) {
                StringBuilder line = new StringBuilder("  producer " + name.getKeyProperty("client-id") + ":");
                for (String attribute : List.of("record-size-avg", "batch-size-avg", "compression-rate-avg",
                        "records-per-request-avg", "request-rate", "record-send-rate", "outgoing-byte-rate")) {
                    Object v = server.getAttribute(name, attribute);
                    line.append(String.format(" %s %.2f", attribute, ((Number) v).doubleValue()));
                }
                System.out.println(line);
            }
        } catch (javax.management.JMException e) {
            System.out.println("  producer metrics unavailable: " + e);
        }
    }

    /** Telemetry payloads, serialised before timing: the benchmark measures the broker, not the client's JSON writer. */
    static List<byte[]> payloads(int n) {
        List<byte[]> payloads = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            payloads.add(BrokerFixture.telemetryJson(m));
        }
        return payloads;
    }

    /** One connected publishing client per device. */
    static List<Mqtt5AsyncClient> connectAll(List<MqttClientSslConfig> configs, int port) {
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("acme/bench-" + i).serverHost("localhost").serverPort(port)
                    .sslConfig(configs.get(i)).buildBlocking();
            c.connect();
            clients.add(c.toAsync());
        }
        return clients;
    }

    static void disconnectAll(List<Mqtt5AsyncClient> clients) throws Exception {
        for (Mqtt5AsyncClient c : clients) {
            c.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    /** Collections and their total milliseconds so far, all collectors. */
    static long[] gc() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /**
     * Prints the broker id, TLS protocol and cipher suite that the last telemetry records on Kafka carry (the broker's
     * view of the publishing connections, as the extension read it from HiveMQ's {@code ClientTlsInformation}), so
     * each forwarding phase shows what its devices negotiated; nothing for the phases that do not forward.
     */
    static void printNegotiated() {
        if (KAFKA_BOOTSTRAP == null) {
            return;
        }
        Map<String, Object> props = Map.of("bootstrap.servers", KAFKA_BOOTSTRAP, "enable.auto.commit", false);
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                props, new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(Topics.TELEMETRY, java.time.Duration.ofSeconds(10)).forEach(pi ->
                    parts.add(new org.apache.kafka.common.TopicPartition(Topics.TELEMETRY, pi.partition())));
            c.assign(parts);
            c.seekToEnd(parts);
            for (org.apache.kafka.common.TopicPartition tp : parts) {
                c.seek(tp, Math.max(0, c.position(tp) - 1));
            }
            java.util.Set<String> seen = new java.util.TreeSet<>();
            for (org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r : c.poll(java.time.Duration.ofSeconds(5))) {
                BrokerContext b = io.fleetwarden.model.codec.Codecs.TELEMETRY.tryDecode(r.value()).value().getBroker();
                seen.add(b.getBrokerId() + " " + b.getTlsProtocol() + " " + b.getTlsCipher());
            }
            System.out.println("  publishing connections (broker id, TLS protocol, cipher suite of the last records): " + seen);
        }
    }

    /** A started recording of CPU and allocation samples when {@code bench.jfr} is set, else null. */
    static jdk.jfr.Recording record() {
        if (JFR_DIR == null) {
            return null;
        }
        jdk.jfr.Recording r = new jdk.jfr.Recording();
        r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(2)).withStackTrace();
        r.enable("jdk.ObjectAllocationSample").with("throttle", "1000/s").withStackTrace();
        r.enable("jdk.GarbageCollection");
        r.start();
        return r;
    }

    static void dump(jdk.jfr.Recording r, String window) throws java.io.IOException {
        if (r == null) {
            return;
        }
        r.stop();
        Path out = Files.createDirectories(Path.of(JFR_DIR)).resolve(current + "-" + window + ".jfr");
        r.dump(out);
        r.close();
        System.out.println("  recorded " + out);
    }

    static void connectLoop(List<MqttClientSslConfig> configs, int port, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                int d = i % configs.size();
                fs.add(pool.submit(() -> {
                    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier("acme/bench-" + d).serverHost("localhost")
                            .serverPort(port).sslConfig(configs.get(d)).buildBlocking();
                    c.connect();
                    try {
                        c.disconnect();
                    } catch (com.hivemq.client.mqtt.exceptions.MqttClientStateException takenOver) {
                        // a slow task and a later one for the same device overlapped: the later connect took
                        // the session over; this connect was still completed and counts
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void publishAll(List<Mqtt5AsyncClient> clients, List<byte[]> payloads) throws Exception {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            Mqtt5AsyncClient c = clients.get(i);
            String topic = "devices/acme/bench-" + i + "/telemetry";
            for (byte[] payload : payloads) {
                all.add(c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send());
            }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(300, TimeUnit.SECONDS);
        for (CompletableFuture<?> f : all) {
            Object r = f.get();
            if (r instanceof com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult pr && pr.getError().isPresent()) {
                throw new IllegalStateException("publish refused during benchmark: " + pr.getError().get());
            }
        }
    }

    /**
     * Admits everyone: the baseline. With a Kafka address, also forwards every publish (see
     * {@link Phase#FORWARD_ONLY}).
     */
    static final class PermitAll implements ExtensionMain {
        private final String forwardTo;
        private final boolean intercept;
        private final boolean validate;
        private KafkaForwarder forwarder;
        private BrokerMetrics metrics;

        PermitAll(String forwardTo, boolean intercept, boolean validate) {
            this.forwardTo = forwardTo;
            this.intercept = intercept;
            this.validate = validate;
        }

        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            SimpleAuthenticator allow = (in, out) -> out.authenticateSuccessfully();
            Services.securityRegistry().setAuthenticatorProvider(in -> allow);
            if (!intercept) {
                return;
            }
            if (forwardTo == null) {
                PublishInboundInterceptor noop = (in, out) -> { };
                Services.initializerRegistry().setClientInitializer((in, client) -> client.addPublishInboundInterceptor(noop));
                return;
            }
            metrics = new BrokerMetrics();
            forwarder = new KafkaForwarder(new KafkaProducer<>(KafkaForwarder.producerConfig(forwardTo),
                    new StringSerializer(), new ByteArraySerializer()), metrics, 100_000);
            Telemetry template;
            try {
                template = DevicePayloads.toTelemetry("acme", "template",
                        new DevicePayloads().parseTelemetry(BrokerFixture.telemetryJson(0)),
                        BrokerContext.newBuilder().setBrokerId("bench").setMqttVersion("V_5").build(), Instant.now(), false);
            } catch (PayloadValidationException e) {
                throw new IllegalStateException(e);
            }
            // one record per device, built once: per publish only the lookup, the Avro encoding and the send remain
            Map<String, Telemetry> byDevice = new java.util.concurrent.ConcurrentHashMap<>();
            DevicePayloads payloads = new DevicePayloads();
            java.time.Clock clock = java.time.Clock.systemUTC();
            PublishInboundInterceptor forward = (in, out) -> {
                try {
                    Telemetry device = byDevice.computeIfAbsent(in.getClientInformation().getClientId(), clientId -> {
                        String[] key = DeviceKeys.parse(clientId); // client ids are tenant-qualified device keys
                        return Telemetry.newBuilder(template).setTenant(key[0]).setDeviceId(key[1])
                                .setBroker(contractContext(in.getConnectionInformation())).build();
                    });
                    if (validate) {
                        // as Fleetwarden's interceptor reads the payload, its validator checks it and it maps the
                        // validated payload to the record
                        java.nio.ByteBuffer b = in.getPublishPacket().getPayload().orElseThrow();
                        byte[] bytes = new byte[b.remaining()];
                        b.get(b.position(), bytes);
                        forwarder.telemetry(DevicePayloads.toTelemetry(device.getTenant(), device.getDeviceId(),
                                payloads.parseTelemetry(bytes), device.getBroker(), clock.instant(), false));
                    } else {
                        forwarder.telemetry(received(device, clock.instant()));
                    }
                    out.preventPublishDelivery();
                } catch (RuntimeException | PayloadValidationException e) {
                    FORWARD_FAILURES.incrementAndGet();
                    throw new IllegalStateException(e);
                }
            };
            Services.initializerRegistry().setClientInitializer((in, client) -> client.addPublishInboundInterceptor(forward));
            // and the connect and disconnect security events the contract requires for every device connection,
            // like Fleetwarden's; identity and context are built once per device: per connect only the events,
            // their encoding and the sends remain
            SecurityEvents events = new SecurityEvents(java.time.Clock.systemUTC());
            Map<String, Peer> peers = new java.util.concurrent.ConcurrentHashMap<>();
            ClientLifecycleEventListener lifecycle = new ClientLifecycleEventListener() {
                @Override
                public void onMqttConnectionStart(ConnectionStartInput in) {
                    // recorded once authenticated, as Fleetwarden does
                }

                @Override
                public void onAuthenticationSuccessful(AuthenticationSuccessfulInput in) {
                    Peer p = peers.computeIfAbsent(in.getClientInformation().getClientId(),
                            clientId -> Peer.of(clientId, in.getConnectionInformation()));
                    forwarder.securityEvent(events.build(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED,
                            "device authenticated by client certificate", p.identity(), p.clientId(), null, null,
                            p.broker(), Map.of("certificateSerial", p.identity().serialHex())));
                }

                @Override
                public void onDisconnect(DisconnectEventInput in) {
                    Peer p = peers.computeIfAbsent(in.getClientInformation().getClientId(),
                            clientId -> Peer.of(clientId, in.getConnectionInformation()));
                    forwarder.securityEvent(events.build(SecurityEventType.DISCONNECT,
                            SecurityEventReasons.CLIENT_DISCONNECT, null, p.identity(), p.clientId(), null, null,
                            p.broker(), new java.util.HashMap<>()));
                }
            };
            Services.eventRegistry().setClientLifecycleEventListener(in -> lifecycle);
        }

        /**
         * The device's ready-made record stamped with the broker's receive time, which the event contract puts on
         * every record (filled field by field, as Fleetwarden fills its records, not through Avro's Builder).
         */
        private static Telemetry received(Telemetry device, Instant receivedAt) {
            Telemetry t = new Telemetry();
            for (int i = 0; i < Telemetry.SCHEMA$.getFields().size(); i++) {
                t.put(i, device.get(i));
            }
            t.setReceivedAt(receivedAt);
            return t;
        }

        /** A device as the forward-only phase records it: identity from its client id and certificate, its context. */
        private record Peer(String clientId, DeviceIdentity identity, BrokerContext broker) {
            static Peer of(String clientId, ConnectionInformation ci) {
                String[] key = DeviceKeys.parse(clientId);
                X509Certificate cert = ci.getClientTlsInformation().flatMap(ClientTlsInformation::getClientCertificate)
                        .orElseThrow();
                return new Peer(clientId, new DeviceIdentity(key[0], key[1], ConnectVerifier.serialHex(cert),
                        ConnectVerifier.fingerprint(cert), cert.getNotAfter().toInstant()), contractContext(ci));
            }
        }

        /**
         * The broker context the event contract puts on every telemetry record (as Fleetwarden's records carry it):
         * source address, TLS parameters and the client certificate's serial, fingerprint and expiry.
         */
        private static BrokerContext contractContext(ConnectionInformation ci) {
            Optional<ClientTlsInformation> tls = ci.getClientTlsInformation();
            X509Certificate cert = tls.flatMap(ClientTlsInformation::getClientCertificate).orElse(null);
            return BrokerContext.newBuilder().setBrokerId("bench").setMqttVersion(ci.getMqttVersion().name())
                    .setSourceAddress(ci.getInetAddress().map(InetAddress::getHostAddress).orElse(null))
                    .setTlsProtocol(tls.map(ClientTlsInformation::getProtocol).orElse(null))
                    .setTlsCipher(tls.map(ClientTlsInformation::getCipherSuite).orElse(null))
                    .setCertificateFingerprint(cert == null ? null : ConnectVerifier.fingerprint(cert))
                    .setCertificateSerial(cert == null ? null : ConnectVerifier.serialHex(cert))
                    .setCertificateNotAfter(cert == null ? null : cert.getNotAfter().toInstant())
                    .build();
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
            if (forwarder != null) {
                forwarder.close();
                metrics.close();
            }
        }
    }
}
