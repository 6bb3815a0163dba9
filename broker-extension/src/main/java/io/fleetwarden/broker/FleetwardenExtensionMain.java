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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.control.ControlsConsumer;
import io.fleetwarden.broker.forward.KafkaForwarder;
import io.fleetwarden.broker.forward.SecurityEvents;
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
 * meanwhile); on a stock HiveMQ, supervise the start (see the README). The outcome is published in the system property
 * {@value #STATE_PROPERTY} ({@code started} or {@code failed: <reason>}) for the launcher.
 */
public final class FleetwardenExtensionMain implements ExtensionMain {

    /** System property the launcher reads to learn whether the extension started. */
    public static final String STATE_PROPERTY = "fleetwarden.extension.state";
    /** System property naming the jar the extension was loaded from (diagnostics and tests). */
    public static final String SOURCE_PROPERTY = "fleetwarden.extension.source";

    private static final Logger LOG = LoggerFactory.getLogger(FleetwardenExtensionMain.class);

    private BrokerMetrics metrics;
    private KafkaForwarder forwarder;
    private ControlsConsumer controlsConsumer;

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        try {
            start(input.getExtensionInformation().getExtensionHomeFolder().toPath());
            System.setProperty(STATE_PROPERTY, "started");
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("Fleetwarden extension cannot start, refusing to run: {}", reason, e);
            stopAll();
            System.setProperty(STATE_PROPERTY, "failed: " + reason);
            output.preventExtensionStartup(reason);
        }
    }

    private void start(Path home) throws Exception {
        System.setProperty(SOURCE_PROPERTY,
                String.valueOf(getClass().getProtectionDomain().getCodeSource().getLocation()));
        BrokerConfig config = BrokerConfig.load(home.resolve("conf/config.xml"), home, System.getProperties());
        List<X509Certificate> cas = readCas(config.caCertificates());
        Clock clock = Clock.systemUTC();

        metrics = new BrokerMetrics();
        if (config.metricsPort() >= 0) {
            int port = metrics.serve(config.metricsBindAddress(), config.metricsPort());
            System.setProperty("fleetwarden.extension.metrics-port", Integer.toString(port));
            LOG.info("metrics on http://{}:{}/metrics", config.metricsBindAddress(), port);
        }
        CrlStore crls = new CrlStore(config.crlFolder(), cas);
        crls.reloadIfChanged();
        ControlState controls = new ControlState();
        SessionRegistry sessions = new SessionRegistry();
        SecurityEvents events = new SecurityEvents(clock);
        forwarder = withOwnClassLoader(() -> new KafkaForwarder(new KafkaProducer<>(
                KafkaClientSecurity.configured().applyTo(new HashMap<>(KafkaForwarder.producerConfig(config.kafkaBootstrapServers()))), new StringSerializer(),
                new ByteArraySerializer()), metrics, config.bufferMaxRecords()));
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, controls, crls,
                (clientId, why) -> Services.clientService().disconnectClient(clientId, false,
                        DisconnectReasonCode.NOT_AUTHORIZED, why));
        controlsConsumer = withOwnClassLoader(() -> new ControlsConsumer(config.kafkaBootstrapServers(),
                config.brokerId(), controls, enforcer::onControlChange));
        controlsConsumer.start();
        if (!controlsConsumer.awaitInitialLoad(config.controlsInitialLoadTimeout())) {
            throw new IllegalStateException("device controls (quarantine/revocation) could not be read from Kafka "
                    + config.kafkaBootstrapServers() + " within " + config.controlsInitialLoadTimeout()
                    + " (kafka.controls-initial-load-timeout)");
        }

        ConnectVerifier verifier = new ConnectVerifier(cas, crls, controls, DefaultCredentials.shipped(),
                new IdentityRule(config.defaultTenant()), config.tlsProtocols(), config.requireAeadCipher(), clock);
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
        LOG.info("Fleetwarden extension started as broker {} trusting {} CA(s)", config.brokerId(), cas.size());
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
        stopAll();
        System.setProperty(STATE_PROPERTY, "stopped");
    }

    private void stopAll() {
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
}
