package io.fleetwarden.simulator.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.simulator.kafka.PlatformFeed;
import io.fleetwarden.simulator.model.DeviceCondition;
import io.fleetwarden.simulator.model.DeviceSpec;
import io.fleetwarden.simulator.model.Effect;
import io.fleetwarden.simulator.model.FirmwareCatalog;
import io.fleetwarden.simulator.model.FirmwareImages;
import io.fleetwarden.simulator.model.Noise;
import io.fleetwarden.simulator.model.TelemetryGenerator;
import io.fleetwarden.simulator.pki.FleetPki;
import io.fleetwarden.simulator.scenario.GroundTruthWriter;
import io.fleetwarden.simulator.scenario.ScenarioInstance;
import io.fleetwarden.simulator.scenario.ScenarioPlan;
import io.fleetwarden.simulator.scenario.ScenarioType;
import io.fleetwarden.simulator.scenario.Step;

/**
 * Drives a planned fleet against a real broker. No thread per device: every client is an async
 * HiveMQ MQTT 5 client sharing one Netty event loop and one callback executor; one tick thread
 * (every {@value #TICK_MILLIS} ms) starts connects at a bounded rate, fires due scenario steps and
 * publishes due telemetry.
 *
 * <p>Time: the run starts at {@code clock.instant()} when {@link #run()} is called; step offsets and
 * telemetry schedules are relative to it. Devices the broker disconnects reconnect with jittered
 * exponential backoff (1 s doubling to 30 s), as real firmware does; scripted disconnects do not.
 */
public final class FleetRunner {

    static final long TICK_MILLIS = 50;
    private static final int OVERSIZED_BYTES = 128 * 1024;
    /** How many loopback addresses a credential-stuffing campaign spreads over (a botnet tries from many places). */
    static final int STUFFING_ADDRESSES = 5;

    private final RunSettings settings;
    private final ScenarioPlan plan;
    private final FleetPki pki;
    private final PlatformFeed feed;
    private final GroundTruthWriter groundTruth;
    private final Clock clock;
    private final Consumer<String> progress;
    private final TelemetryGenerator generator;
    private final DevicePayloads payloads = new DevicePayloads();
    private final FleetStats stats = new FleetStats();
    private final List<SimDevice> devices = new ArrayList<>();
    private final Map<String, SimDevice> byId = new HashMap<>();
    private final Map<String, ScenarioInstance> instances = new LinkedHashMap<>();
    private final AtomicInteger inFlightConnects = new AtomicInteger();

    private ExecutorService nettyExecutor;
    private ExecutorService callbackExecutor;
    private MqttClientExecutorConfig executorConfig;
    private TrustManagerFactory trust;
    private InetAddress secondAddress;
    /** Addresses the credential stuffing comes from: several loopback addresses from the second one on, else the second alone. */
    private List<InetAddress> stuffingAddresses = List.of();
    private volatile boolean running;
    private Instant start;

    public FleetRunner(RunSettings settings, ScenarioPlan plan, FleetPki pki, PlatformFeed feed,
                       GroundTruthWriter groundTruth, Clock clock, Consumer<String> progress) {
        this.settings = settings;
        this.plan = plan;
        this.pki = pki;
        this.feed = feed;
        this.groundTruth = groundTruth;
        this.clock = clock;
        this.progress = progress;
        this.generator = new TelemetryGenerator(plan.fleet().seed());
        for (ScenarioInstance s : plan.instances()) {
            instances.put(s.id(), s);
        }
    }

    public FleetStats stats() {
        return stats;
    }

    /** Runs the fleet for the configured duration, then disconnects every device. Blocks. */
    public FleetStats run() throws InterruptedException {
        start = clock.instant();
        running = true;
        secondAddress = resolveSecondAddress();
        stuffingAddresses = stuffingAddresses(secondAddress);
        trust = pki.trustManagerFactory();
        nettyExecutor = Executors.newFixedThreadPool(settings.nettyThreads(), daemon("sim-netty"));
        callbackExecutor = Executors.newFixedThreadPool(2, daemon("sim-callback"));
        executorConfig = MqttClientExecutorConfig.builder()
                .nettyExecutor(nettyExecutor)
                .nettyThreads(settings.nettyThreads())
                .applicationScheduler(io.reactivex.schedulers.Schedulers.from(callbackExecutor))
                .build();

        String tenant = plan.fleet().devices().get(0).tenant();
        groundTruth.runStart(plan.fleet().seed(), plan.fleet().size(), tenant);
        publishCatalog();

        ArrayDeque<SimDevice> pending = new ArrayDeque<>();
        for (DeviceSpec spec : plan.fleet().devices()) {
            SimDevice d = new SimDevice(spec, DeviceCondition.initial(spec, start.minusSeconds(3600 + spec.index() % 86_400)));
            devices.add(d);
            byId.put(spec.deviceId(), d);
            pending.add(d);
        }

        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("sim-tick"));
        CountDownLatch done = new CountDownLatch(1);
        Ticker state = new Ticker(pending);
        ticker.scheduleAtFixedRate(() -> {
            try {
                if (!state.tick()) {
                    done.countDown();
                }
            } catch (RuntimeException e) {
                progress.accept("tick failed: " + e);
            }
        }, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        done.await();
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        running = false;
        stats.connectedAtEnd.set(stats.connected.get());
        groundTruth.runEnd();
        shutdown();
        progress.accept(summary());
        return stats;
    }

    /** State of the tick thread. */
    private final class Ticker {
        private final ArrayDeque<SimDevice> pending;
        private int nextStep;
        private double tokens;
        private long lastTick = -1;
        private long lastProgress;

        Ticker(ArrayDeque<SimDevice> pending) {
            this.pending = pending;
        }

        /** One tick; false when the run is over. */
        boolean tick() {
            long now = clock.millis();
            long elapsed = now - start.toEpochMilli();
            boolean over = elapsed >= settings.runDuration().toMillis();
            long stepLimit = over ? settings.runDuration().toMillis() : elapsed;
            List<Step> steps = plan.steps();
            while (nextStep < steps.size() && steps.get(nextStep).at().toMillis() <= stepLimit) {
                execute(steps.get(nextStep++));
            }
            if (over) {
                return false;
            }
            startConnects(now);
            publishDue(now);
            if (now - lastProgress >= settings.progressEvery().toMillis()) {
                lastProgress = now;
                progress.accept(progressLine(elapsed));
            }
            return true;
        }

        private void startConnects(long now) {
            if (lastTick < 0) {
                lastTick = now;
            }
            tokens = Math.min(settings.connectRatePerSecond(), tokens + (now - lastTick) * settings.connectRatePerSecond() / 1000.0);
            lastTick = now;
            while (tokens >= 1 && !pending.isEmpty() && inFlightConnects.get() < settings.maxInFlightConnects()) {
                SimDevice d = pending.poll();
                if (!d.wantOnline) {
                    continue;
                }
                tokens -= 1;
                d.connectPending = true;
                inFlightConnects.incrementAndGet();
                connect(d, null);
            }
        }

        private void publishDue(long now) {
            for (SimDevice d : devices) {
                if (d.connected && now >= d.nextDueMillis) {
                    publishTelemetry(d, Instant.ofEpochMilli(now));
                    d.nextDueMillis = Math.max(now, d.nextDueMillis) + generator.intervalMillis(d.spec, d.seq);
                }
            }
        }
    }

    private void execute(Step step) {
        ScenarioInstance s = instances.get(step.scenarioId());
        SimDevice d = step.deviceId() == null ? null : byId.get(step.deviceId());
        Instant now = clock.instant();
        switch (step.action()) {
            case MARK_START -> {
                stats.scenariosStarted.incrementAndGet();
                Map<String, String> cohort = s.cohort();
                if (s.type() == ScenarioType.CREDENTIAL_STUFFING && !stuffingAddresses.isEmpty()) {
                    // the stuffing CONNECTs come from these addresses; address-keyed alerts name one of them
                    cohort = Map.of("source-address", String.join(",",
                            stuffingAddresses.stream().map(InetAddress::getHostAddress).toList()));
                }
                groundTruth.scenarioStart(s, plan.fleet().devices().get(0).tenant(), start.plus(s.end()), cohort, null);
                progress.accept("scenario started: " + s.id() + " (" + s.devices().size() + " device(s)"
                        + (s.expectedRules().isEmpty() ? ", benign" : ", expects " + s.expectedRules()) + ")");
            }
            case MARK_END -> {
                stats.scenariosEnded.incrementAndGet();
                groundTruth.scenarioEnd(s);
            }
            case EFFECT_ON -> d.condition = d.condition.with(Effect.valueOf(step.arg()));
            case EFFECT_OFF -> d.condition = d.condition.without(Effect.valueOf(step.arg()));
            case DISCONNECT -> {
                d.wantOnline = false;
                Mqtt5AsyncClient c = d.client;
                if (c != null) {
                    c.disconnect().exceptionally(e -> null);
                }
            }
            case CONNECT -> {
                d.wantOnline = true;
                if ("reboot".equals(step.arg())) {
                    d.condition = d.condition.rebootedAt(now);
                }
                boolean move = "second-address".equals(step.arg());
                if (move && secondAddress == null) {
                    groundTruth.note(s, d.spec.deviceId() + " reconnects from the default address: no second local address available");
                }
                if (move || d.client == null) {
                    connect(d, move ? secondAddress : null);
                } else {
                    d.client.connect().exceptionally(e -> null);
                }
            }
            case SET_FIRMWARE -> d.condition = d.condition.running(step.arg(), step.count() == 1
                    ? FirmwareImages.tamperedHash(d.spec.model().name(), step.arg(), plan.fleet().seed())
                    : FirmwareImages.genuineHash(d.spec.model().name(), step.arg()));
            case UPDATE_START -> d.condition = d.condition.updating(step.arg(), 0);
            case UPDATE_ATTEMPT_FAILED -> d.condition = d.condition.updating(step.arg(), d.condition.updateAttempts() + 1);
            case DEFAULT_CREDENTIALS -> defaultCredentials(d, step.arg(), step.count());
            case CLONE_CONNECT -> cloneConnect(d, s);
            case CLONE_DISCONNECT -> {
                Mqtt5AsyncClient c = d.clone;
                if (c != null) {
                    c.disconnect().exceptionally(e -> null);
                }
            }
            case TOPIC_PROBE -> topicProbe(d);
            case MALFORMED_BURST -> malformed(d, step.count());
            case PUBLISH_BURST -> {
                for (int i = 0; i < step.count(); i++) {
                    publishTelemetry(d, now);
                }
            }
            case PUBLISH_ADVISORY -> {
                if (feed.enabled()) {
                    try {
                        feed.publishAdvisories(List.of(FirmwareCatalog.scenarioAdvisory(now)));
                    } catch (RuntimeException e) {
                        groundTruth.note(s, "advisory not published: " + e.getMessage());
                    }
                } else {
                    groundTruth.note(s, "advisory not published: no Kafka bootstrap given");
                }
            }
            default -> throw new IllegalStateException("unhandled action " + step.action());
        }
    }

    private void publishCatalog() {
        if (!feed.enabled()) {
            progress.accept("no Kafka bootstrap: firmware catalog and advisories not published");
            return;
        }
        feed.publishCatalog(FirmwareCatalog.entries(start));
        feed.publishAdvisories(FirmwareCatalog.initialAdvisories(start));
        progress.accept("published firmware catalog and advisories");
    }

    private MqttClientSslConfig ssl(SimDevice d) {
        if (d.ssl == null) {
            Instant expiring = plan.expiringCerts().get(d.spec.deviceId());
            var credential = expiring == null ? pki.device(d.spec.tenant(), d.spec.deviceId())
                    : pki.deviceExpiringAt(d.spec.tenant(), d.spec.deviceId(), expiring);
            d.ssl = MqttClientSslConfig.builder()
                    .keyManagerFactory(credential.keyManagerFactory())
                    .trustManagerFactory(trust)
                    .protocols(List.of("TLSv1.3", "TLSv1.2"))
                    .handshakeTimeout(20, TimeUnit.SECONDS)
                    .build();
        }
        return d.ssl;
    }

    private Mqtt5ClientBuilder builder(SimDevice d, InetAddress local) {
        var transport = com.hivemq.client.mqtt.MqttClientTransportConfig.builder()
                .serverHost(settings.brokerHost())
                .serverPort(settings.brokerPort())
                .sslConfig(ssl(d))
                .socketConnectTimeout(15, TimeUnit.SECONDS)
                .mqttConnectTimeout(20, TimeUnit.SECONDS);
        if (local != null) {
            transport.localAddress(local);
        }
        return MqttClient.builder().useMqttVersion5()
                .identifier(d.clientId)
                .transportConfig(transport.build())
                .executorConfig(executorConfig);
    }

    /** (Re)creates the device's client and connects it. */
    private void connect(SimDevice d, InetAddress local) {
        Mqtt5AsyncClient c = builder(d, local)
                .addConnectedListener(ctx -> onConnected(d))
                .addDisconnectedListener(ctx -> onDisconnected(d, ctx))
                .buildAsync();
        d.client = c;
        stats.connectAttempts.incrementAndGet();
        c.connectWith().cleanStart(true).keepAlive(60).send().exceptionally(e -> null);
    }

    private void onConnected(SimDevice d) {
        clearPending(d);
        if (!d.connected) {
            d.connected = true;
            stats.onConnected();
        }
        long now = clock.millis();
        d.nextDueMillis = now + Math.min(d.spec.phaseMillis(), 2000);
        // devices subscribe to nothing: the platform sends no commands over MQTT (docs/devices.md)
    }

    private void onDisconnected(SimDevice d, MqttClientDisconnectedContext ctx) {
        clearPending(d);
        if (d.connected) {
            d.connected = false;
            stats.connected.decrementAndGet();
            if (ctx.getSource() == MqttDisconnectSource.SERVER) {
                stats.disconnectsByBroker.incrementAndGet();
            }
        } else if (ctx.getSource() != MqttDisconnectSource.USER) {
            stats.connectsFailed.incrementAndGet();
        }
        if (ctx.getSource() != MqttDisconnectSource.USER && d.wantOnline && running
                && ctx.getClientConfig() == d.client.getConfig()) {
            int attempts = ctx.getReconnector().getAttempts();
            long base = Math.min(30_000L, 1000L << Math.min(attempts, 5));
            double u = Noise.unit(plan.fleet().seed(), d.spec.index(), attempts, clock.millis());
            ctx.getReconnector().reconnect(true).delay((long) (base * (0.5 + u)), TimeUnit.MILLISECONDS);
            stats.connectAttempts.incrementAndGet();
        }
    }

    private void clearPending(SimDevice d) {
        if (d.connectPending) {
            d.connectPending = false;
            inFlightConnects.decrementAndGet();
        }
    }

    private void publishTelemetry(SimDevice d, Instant at) {
        Mqtt5AsyncClient c = d.client;
        if (c == null || !d.connected) {
            return;
        }
        DeviceTelemetryPayload p = generator.payload(d.spec, d.condition, at, d.seq++);
        stats.telemetrySent.incrementAndGet();
        c.publishWith().topic(d.telemetryTopic).qos(MqttQos.AT_LEAST_ONCE).payload(payloads.write(p)).send()
                .whenComplete(this::countPublish);
    }

    private void countPublish(Mqtt5PublishResult r, Throwable e) {
        if (e != null || r.getError().isPresent()) {
            stats.publishesRefused.incrementAndGet();
        } else if (r instanceof Mqtt5PublishResult.Mqtt5Qos1Result q && q.getPubAck().getReasonCode().isError()) {
            stats.publishesRefused.incrementAndGet();
        } else {
            stats.publishesAcked.incrementAndGet();
        }
    }

    private void defaultCredentials(SimDevice d, String userPassword, int attempt) {
        int colon = userPassword.indexOf(':');
        String user = userPassword.substring(0, colon);
        byte[] password = userPassword.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        InetAddress from = stuffingAddresses.isEmpty() ? null : stuffingAddresses.get(attempt % stuffingAddresses.size());
        Mqtt5AsyncClient attacker = builder(d, from).buildAsync();
        stats.attackActions.incrementAndGet();
        attacker.connectWith().cleanStart(true).simpleAuth().username(user).password(password).applySimpleAuth().send()
                .whenComplete((ack, e) -> {
                    if (e != null) {
                        stats.attackRefusals.incrementAndGet();
                    } else {
                        attacker.disconnect().exceptionally(x -> null);
                    }
                });
    }

    private void cloneConnect(SimDevice d, ScenarioInstance s) {
        if (secondAddress == null) {
            groundTruth.note(s, "clone connects from the default address: no second local address available");
        }
        Mqtt5AsyncClient old = d.clone;
        if (old != null && old.getState().isConnected()) {
            return;
        }
        Mqtt5AsyncClient clone = builder(d, secondAddress).buildAsync();
        d.clone = clone;
        stats.attackActions.incrementAndGet();
        clone.connectWith().cleanStart(true).send().whenComplete((ack, e) -> {
            if (e != null) {
                stats.attackRefusals.incrementAndGet();
                return;
            }
            DeviceTelemetryPayload p = generator.payload(d.spec, d.condition, clock.instant(), d.seq);
            clone.publishWith().topic(d.telemetryTopic).qos(MqttQos.AT_LEAST_ONCE).payload(payloads.write(p)).send()
                    .exceptionally(x -> null);
        });
    }

    private void topicProbe(SimDevice d) {
        Mqtt5AsyncClient c = d.client;
        if (c == null || !d.connected) {
            return;
        }
        SimDevice neighbour = devices.size() > 1 ? devices.get((d.spec.index() + 1) % devices.size()) : null;
        String otherTenant = neighbour == null ? d.spec.tenant() : neighbour.spec.tenant();
        String other = neighbour == null ? "not-my-device" : neighbour.spec.deviceId();
        // another device's commands, and the same device id in another tenant's namespace (refused as cross-tenant)
        String foreignTenant = d.spec.tenant().equals("probe-other") ? "probe-other-2" : "probe-other";
        for (String filter : List.of("#", "$SYS/#", "devices/+/+/telemetry",
                DeviceIdentities.commandsTopic(otherTenant, other) + "/#",
                DeviceIdentities.commandsTopic(foreignTenant, d.spec.deviceId()) + "/#")) {
            stats.attackActions.incrementAndGet();
            c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().whenComplete((ack, e) -> {
                if (e != null || ack.getReasonCodes().stream().anyMatch(rc -> rc.isError())) {
                    stats.attackRefusals.incrementAndGet();
                }
            });
        }
        stats.attackActions.incrementAndGet();
        DeviceTelemetryPayload p = generator.payload(d.spec, d.condition, clock.instant(), d.seq);
        c.publishWith().topic(DeviceIdentities.telemetryTopic(otherTenant, other)).qos(MqttQos.AT_LEAST_ONCE).payload(payloads.write(p))
                .send().whenComplete(this::countPublish);
    }

    private void malformed(SimDevice d, int count) {
        Mqtt5AsyncClient c = d.client;
        if (c == null || !d.connected) {
            return;
        }
        for (int i = 0; i < count; i++) {
            long k = d.seq * 31 + i;
            byte[] bad = switch ((int) (k % 10)) {
                case 0, 1, 2 -> "{\"schema\":1,\"ts\":".getBytes(StandardCharsets.UTF_8);
                case 3, 4, 5 -> "{\"schema\":1,\"model\":\"cam\",\"cpuPercent\":250}".getBytes(StandardCharsets.UTF_8);
                case 6, 7, 8 -> new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x13, 0x37};
                default -> oversized();
            };
            stats.attackActions.incrementAndGet();
            c.publishWith().topic(d.telemetryTopic).qos(MqttQos.AT_LEAST_ONCE).payload(bad).send().whenComplete(this::countPublish);
        }
        d.seq++;
    }

    private static byte[] oversized() {
        byte[] b = new byte[OVERSIZED_BYTES];
        Arrays.fill(b, (byte) 'a');
        byte[] head = "{\"schema\":1,\"padding\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, b, 0, head.length);
        b[b.length - 2] = '"';
        b[b.length - 1] = '}';
        return b;
    }

    /**
     * The second address and the next {@value #STUFFING_ADDRESSES} - 1 after it when it is an IPv4 loopback address
     * (Linux routes all of 127.0.0.0/8 to the loopback interface); any other second address alone.
     */
    static List<InetAddress> stuffingAddresses(InetAddress second) {
        if (second == null) {
            return List.of();
        }
        byte[] b = second.getAddress();
        if (!second.isLoopbackAddress() || b.length != 4) {
            return List.of(second);
        }
        List<InetAddress> out = new ArrayList<>();
        for (int k = 0; k < STUFFING_ADDRESSES && (b[3] & 0xff) + k < 255; k++) {
            byte[] a = b.clone();
            a[3] = (byte) ((b[3] & 0xff) + k);
            try {
                out.add(InetAddress.getByAddress(a));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // a 4-byte address is always valid
            }
        }
        return List.copyOf(out);
    }

    private InetAddress resolveSecondAddress() {
        String configured = settings.secondAddress();
        if (configured == null || configured.isBlank() || configured.equals("none")) {
            return null;
        }
        try {
            if (configured.equals("auto")) {
                InetAddress broker = InetAddress.getByName(settings.brokerHost());
                return broker.isLoopbackAddress() ? InetAddress.getByName("127.0.0.2") : null;
            }
            return InetAddress.getByName(configured);
        } catch (UnknownHostException e) {
            progress.accept("second address " + configured + " unusable (" + e.getMessage() + "); clones connect from the default address");
            return null;
        }
    }

    private String progressLine(long elapsedMillis) {
        return String.format("[%4ds] connected %d/%d (peak %d) | connects ok %d failed %d | telemetry %d acked %d refused %d"
                        + " | attack actions %d refused %d | scenarios %d started %d ended",
                elapsedMillis / 1000, stats.connected.get(), devices.size(), stats.peakConnected.get(),
                stats.connectsOk.get(), stats.connectsFailed.get(), stats.telemetrySent.get(), stats.publishesAcked.get(),
                stats.publishesRefused.get(), stats.attackActions.get(), stats.attackRefusals.get(),
                stats.scenariosStarted.get(), stats.scenariosEnded.get());
    }

    private String summary() {
        return "run finished: " + progressLine(Duration.between(start, clock.instant()).toMillis());
    }

    private void shutdown() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (SimDevice d : devices) {
            d.wantOnline = false;
            for (Mqtt5AsyncClient c : new Mqtt5AsyncClient[] {d.client, d.clone}) {
                if (c != null && c.getState().isConnectedOrReconnect()) {
                    closing.add(c.disconnect().exceptionally(e -> null));
                }
            }
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            progress.accept("some devices did not disconnect cleanly: " + e);
        }
        nettyExecutor.shutdownNow();
        callbackExecutor.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
