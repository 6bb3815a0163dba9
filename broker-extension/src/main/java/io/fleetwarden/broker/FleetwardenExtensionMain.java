package io.fleetwarden.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;

import io.fleetwarden.broker.config.BrokerConfig;
import io.fleetwarden.broker.config.LauncherHandoff;
import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.control.ControlsConsumer;
import io.fleetwarden.broker.forward.KafkaForwarder;
import io.fleetwarden.broker.forward.NativeLz4;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.health.BrokerHealth;
import io.fleetwarden.broker.health.KafkaProbe;
import io.fleetwarden.broker.hivemq.CertificateAuthenticator;
import io.fleetwarden.broker.hivemq.ConnectionLifecycleListener;
import io.fleetwarden.broker.hivemq.PublishValidationInterceptor;
import io.fleetwarden.broker.hivemq.RevocationEnforcer;
import io.fleetwarden.broker.hivemq.SessionRegistry;
import io.fleetwarden.broker.hivemq.TopicAuthorizer;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.identity.DefaultCredentials;
import io.fleetwarden.broker.identity.IdentityRule;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.registry.DeviceRegistry;
import io.fleetwarden.broker.topic.TopicPolicy;
import io.fleetwarden.broker.validation.ClockSkewMonitor;
import io.fleetwarden.broker.validation.PublishValidator;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Entry point HiveMQ calls: reads the configuration, builds the objects and registers them. Nothing
 * else happens here.
 *
 * <p>Fail closed: any problem at start (bad config, unreadable CA, Kafka controls not loadable in time)
 * prevents the extension's start. Without it a stock HiveMQ would admit every client, so the
 * {@code fleetwarden-broker} launcher then refuses to serve (and its guard extension refuses every client
 * meanwhile); on a stock HiveMQ, supervise the start (see the README).
 *
 * <p>Settings: {@code conf/config.xml}, overridden by the settings the launcher handed to this broker
 * ({@link LauncherHandoff}, in the broker's data folder) or, on a stock HiveMQ, by {@code -Dfleetwarden.<key>}
 * JVM flags. The outcome of the start goes back to the launcher the same way. No JVM-wide state is written,
 * so several brokers in one JVM do not interfere.
 */
public final class FleetwardenExtensionMain implements ExtensionMain {

    private static final Logger LOG = LoggerFactory.getLogger(FleetwardenExtensionMain.class);
    /** How often the health probe asks Kafka, and how long one question may take. */
    private static final Duration KAFKA_CHECK_EVERY = Duration.ofSeconds(5);
    private static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(3);

    private BrokerMetrics metrics;
    private KafkaForwarder forwarder;
    private ControlsConsumer controlsConsumer;
    private KafkaProbe kafkaProbe;
    private LauncherHandoff handoff;
    private volatile boolean running;
    private int metricsPort = -1;

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        String source = String.valueOf(getClass().getProtectionDomain().getCodeSource().getLocation());
        handoff = LauncherHandoff.in(input.getServerInformation().getDataFolder().toPath());
        Optional<Properties> launcherSettings = Optional.empty();
        try {
            launcherSettings = handoff.readSettings();
            start(input.getExtensionInformation().getExtensionHomeFolder().toPath(),
                    launcherSettings.orElseGet(System::getProperties));
            running = true;
            if (launcherSettings.isPresent()) {
                handoff.writeOutcome(new LauncherHandoff.Outcome("started", "", metricsPort, source));
            }
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("Fleetwarden extension cannot start, refusing to run: {}", reason, e);
            stopAll();
            if (launcherSettings.isPresent()) {
                try {
                    handoff.writeOutcome(new LauncherHandoff.Outcome("failed", reason, -1, source));
                } catch (RuntimeException ignored) {
                    // the launcher then reports "no outcome"; it refuses to serve either way
                }
            }
            output.preventExtensionStartup(reason);
        }
    }

    private void start(Path home, Properties overrides) throws Exception {
        BrokerConfig config = BrokerConfig.load(home.resolve("conf/config.xml"), home, overrides);
        List<X509Certificate> cas = readCas(config.caCertificates());
        Clock clock = Clock.systemUTC();

        metrics = new BrokerMetrics();
        CrlStore crls = new CrlStore(config.crlFolder(), cas);
        crls.reloadIfChanged();
        ControlState controls = new ControlState();
        SessionRegistry sessions = new SessionRegistry();
        SecurityEvents events = new SecurityEvents(clock);
        NativeLz4.enable(); // before the first Kafka client: HiveMQ's class loader would keep lz4 in pure Java
        forwarder = withOwnClassLoader(() -> new KafkaForwarder(new KafkaProducer<>(
                KafkaClientSecurity.configured().applyTo(new HashMap<>(KafkaForwarder.producerConfig(config.kafkaBootstrapServers()))), new StringSerializer(),
                new ByteArraySerializer()), metrics, config.bufferMaxRecords()));
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, controls, crls,
                (clientId, why) -> Services.clientService().disconnectClient(clientId, false,
                        DisconnectReasonCode.NOT_AUTHORIZED, why));
        // registry enforcement on: the same reader replays fleet.device-registry, and start waits for it too
        DeviceRegistry registry = config.registryEnforced()
                ? new DeviceRegistry(config.jitPerMinute(), config.jitBurst(), System::nanoTime) : null;
        controlsConsumer = withOwnClassLoader(() -> new ControlsConsumer(config.kafkaBootstrapServers(),
                config.brokerId(), controls, enforcer::onControlChange, registry,
                registry == null ? null : key -> enforcer.onRegistryChange(registry, key)));
        controlsConsumer.start();
        kafkaProbe = withOwnClassLoader(() -> new KafkaProbe(
                Admin.create(KafkaProbe.adminConfig(config.kafkaBootstrapServers(), config.brokerId())),
                KAFKA_CHECK_TIMEOUT, KAFKA_CHECK_EVERY.multipliedBy(3), System::nanoTime));
        KafkaForwarder sender = forwarder;
        ControlsConsumer reader = controlsConsumer;
        BrokerHealth health = new BrokerHealth(() -> running, () -> sender.isAlive() && reader.isAlive(),
                reader::isLoaded, FleetwardenExtensionMain::listenersStarted, kafkaProbe, sender::depth, config.readyMaxBufferDepth());
        if (config.metricsPort() >= 0) {
            // served from the start, so an orchestrator sees "not ready" (not "connection refused") while controls load
            metricsPort = metrics.serve(config.metricsBindAddress(), config.metricsPort(), health);
            LOG.info("metrics on http://{}:{}/metrics, health on /health/live and /health/ready",
                    config.metricsBindAddress(), metricsPort);
        }
        KafkaProbe probe = kafkaProbe;
        Services.extensionExecutorService().scheduleWithFixedDelay(probe::check, 0,
                KAFKA_CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (!controlsConsumer.awaitInitialLoad(config.controlsInitialLoadTimeout())) {
            throw new IllegalStateException("device controls (quarantine/revocation)"
                    + (registry == null ? "" : " and the device registry") + " could not be read from Kafka "
                    + config.kafkaBootstrapServers() + " within " + config.controlsInitialLoadTimeout()
                    + " (kafka.controls-initial-load-timeout)");
        }

        ConnectVerifier verifier = new ConnectVerifier(cas, crls, controls, DefaultCredentials.shipped(),
                new IdentityRule(config.defaultTenant()), config.tlsProtocols(), config.requireAeadCipher(), clock, registry);
        CertificateAuthenticator authenticator = new CertificateAuthenticator(config.brokerId(), verifier, sessions,
                forwarder, events, metrics);
        TopicAuthorizer authorizer = new TopicAuthorizer(config.brokerId(), new TopicPolicy(), sessions, forwarder, events, metrics);
        ClockSkewMonitor clockSkew = new ClockSkewMonitor(config.clockSkew(), config.clockSkewReportInterval());
        metrics.clockSkewedDevices(clockSkew::devicesSeenSkewed);
        PublishValidationInterceptor interceptor = new PublishValidationInterceptor(sessions, controls,
                new PublishValidator(new DevicePayloads(), config.maxPayloadBytes(), config.rateLimitPerSecond(),
                        config.rateLimitBurst(), System::nanoTime), clockSkew, forwarder, events, metrics, clock);
        ConnectionLifecycleListener lifecycle = new ConnectionLifecycleListener(sessions, forwarder, events, metrics);

        Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        Services.securityRegistry().setAuthorizerProvider(in -> authorizer);
        Services.initializerRegistry().setClientInitializer((in, client) -> client.addPublishInboundInterceptor(interceptor));
        Services.eventRegistry().setClientLifecycleEventListener(in -> lifecycle);
        long every = config.crlReloadInterval().toMillis();
        Services.extensionExecutorService().scheduleWithFixedDelay(() -> {
            try {
                if (crls.reloadIfChanged()) {
                    enforcer.sweep();
                }
            } catch (RuntimeException e) {
                LOG.error("CRL reload failed: {}", e.toString(), e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        LOG.info("Fleetwarden extension started as broker {} trusting {} CA(s); device registry {}", config.brokerId(),
                cas.size(), registry == null ? "not enforced" : "enforced (" + registry.size() + " registered devices, "
                        + registry.enrolmentCaCount() + " enrolment CA(s) for just-in-time registration)");
    }

    private static List<X509Certificate> readCas(List<Path> locations) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (Path location : locations) {
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(location)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(location, "*.{pem,crt,cer}")) {
                    ds.forEach(files::add);
                }
            } else {
                files.add(location);
            }
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    for (Certificate c : cf.generateCertificates(in)) {
                        X509Certificate x = (X509Certificate) c;
                        if (x.getBasicConstraints() < 0) {
                            throw new GeneralSecurityException("trust.ca-certificates: " + f + " holds a non-CA certificate "
                                    + x.getSubjectX500Principal());
                        }
                        out.add(x);
                    }
                }
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("trust.ca-certificates: no CA certificate found in " + locations);
        }
        return out;
    }

    /** Kafka loads classes through the thread context class loader; point it at the extension's. */
    private <T> T withOwnClassLoader(java.util.concurrent.Callable<T> body) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(getClass().getClassLoader());
        try {
            return body.call();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        running = false;
        stopAll();
    }

    private void stopAll() {
        if (kafkaProbe != null) {
            kafkaProbe.close();
        }
        if (controlsConsumer != null) {
            controlsConsumer.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    /** HiveMQ finished starting: its listeners are bound (the extension starts before them). */
    private static boolean listenersStarted() {
        try {
            return com.hivemq.extension.sdk.api.services.Services.adminService().getCurrentStage()
                    == com.hivemq.extension.sdk.api.services.admin.LifecycleStage.STARTED_SUCCESSFULLY;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
