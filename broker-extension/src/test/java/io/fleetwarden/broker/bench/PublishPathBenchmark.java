package io.fleetwarden.broker.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.forward.EventSink;
import io.fleetwarden.broker.forward.SecurityEvents;
import io.fleetwarden.broker.hivemq.DeviceSession;
import io.fleetwarden.broker.hivemq.PublishValidationInterceptor;
import io.fleetwarden.broker.hivemq.SessionRegistry;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.broker.it.BrokerFixture;
import io.fleetwarden.broker.metrics.BrokerMetrics;
import io.fleetwarden.broker.validation.ClockSkewMonitor;
import io.fleetwarden.broker.validation.PublishValidator;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.payload.DevicePayloads;

/**
 * The extension's own share of a publish, without HiveMQ, Kafka or the network (not a test): one thread calls the
 * Fleetwarden publish interceptor and the forward-only interceptor of {@link BrokerBenchmark} with the same fake
 * HiveMQ inputs and the same valid telemetry, into a sink that does what {@code KafkaForwarder} does on the calling
 * thread (the Kafka key and the Avro encoding) and drops the record. Prints the thread's CPU µs per publish for each,
 * alternating, so the difference is the work Fleetwarden adds in the extension executor. For profiling that work
 * (e.g. with {@code -XX:StartFlightRecording}) without the noise of the whole broker.
 *
 * <p>Run: {@code java -cp <test classpath> io.fleetwarden.broker.bench.PublishPathBenchmark [publishes] [rounds]}
 */
public final class PublishPathBenchmark {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Encodes like KafkaForwarder and keeps only a checksum. */
    static final class EncodingSink implements EventSink {
        long bytes;

        @Override
        public void telemetry(Telemetry t) {
            String key = DeviceKeys.of(t.getTenant(), t.getDeviceId());
            bytes += key.length() + Codecs.TELEMETRY.encode(t).length;
        }

        @Override
        public void securityEvent(SecurityEvent event) {
            bytes += Topics.securityEventKey(event).length() + Codecs.SECURITY_EVENT.encode(event).length;
        }

        @Override
        public void deviceEvent(DeviceLifecycleEvent event) {
            bytes += Codecs.DEVICE_EVENT.encode(event).length;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int devices = 20;
        BrokerContext context = BrokerContext.newBuilder().setBrokerId("bench").setMqttVersion("V_5")
                .setSourceAddress("127.0.0.1").setTlsProtocol("TLSv1.3").setTlsCipher("TLS_AES_128_GCM_SHA256")
                .setCertificateFingerprint("ab".repeat(32)).setCertificateSerial("1234567890abcdef")
                .setCertificateNotAfter(Instant.now().plus(Duration.ofDays(365))).build();

        EncodingSink sink = new EncodingSink();
        SessionRegistry sessions = new SessionRegistry();
        for (int d = 0; d < devices; d++) {
            sessions.put(new DeviceSession("token-" + d, "acme/bench-" + d, new DeviceIdentity("acme", "bench-" + d,
                    "1234567890abcdef", "ab".repeat(32), Instant.now().plus(Duration.ofDays(365))), null, context,
                    new AtomicBoolean()));
        }
        BrokerMetrics metrics = new BrokerMetrics();
        Clock clock = Clock.systemUTC();
        PublishValidationInterceptor fleetwarden = new PublishValidationInterceptor(sessions, new ControlState(),
                new PublishValidator(new DevicePayloads(), 8192, 1_000_000, 1_000_000, System::nanoTime),
                new ClockSkewMonitor(Duration.ofMinutes(2), Duration.ofMinutes(1)), sink, new SecurityEvents(clock),
                metrics, clock);

        Telemetry template = DevicePayloads.toTelemetry("acme", "template",
                new DevicePayloads().parseTelemetry(BrokerFixture.telemetryJson(0)), context, Instant.now(), false);
        Map<String, Telemetry> byDevice = new ConcurrentHashMap<>();
        PublishInboundInterceptor forwardOnly = (in, out) -> {
            sink.telemetry(byDevice.computeIfAbsent(in.getClientInformation().getClientId(), clientId -> {
                String[] key = DeviceKeys.parse(clientId);
                return Telemetry.newBuilder(template).setTenant(key[0]).setDeviceId(key[1]).setBroker(context).build();
            }));
            out.preventPublishDelivery();
        };

        List<PublishInboundInput> inputs = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            inputs.add(input("acme/bench-" + d, "devices/acme/bench-" + d + "/telemetry"));
        }
        PublishInboundOutput output = proxy(PublishInboundOutput.class, (m, a) -> null);
        // payloads are rebuilt between rounds, so their device time stays inside the skew window
        for (int round = 0; round < rounds; round++) {
            List<byte[]> payloads = new ArrayList<>();
            for (int m = 0; m < 1000; m++) {
                payloads.add(BrokerFixture.telemetryJson(m));
            }
            PAYLOAD.set(payloads);
            double f = measure(forwardOnly, inputs, output, n);
            double w = measure(fleetwarden, inputs, output, n);
            System.out.printf("round %d: CPU µs per publish forward-only %.3f fleetwarden %.3f (difference %.3f, ratio %.3f)%n",
                    round + 1, f, w, w - f, f / w);
        }
        System.out.println("checksum " + sink.bytes);
    }

    private static final java.util.concurrent.atomic.AtomicReference<List<byte[]>> PAYLOAD =
            new java.util.concurrent.atomic.AtomicReference<>();
    private static int next;

    static double measure(PublishInboundInterceptor interceptor, List<PublishInboundInput> inputs,
                          PublishInboundOutput output, int n) {
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            interceptor.onInboundPublish(inputs.get(i % inputs.size()), output);
        }
        return (CPU.getCurrentThreadCpuTime() - t0) / (double) n / 1e3;
    }

    static PublishInboundInput input(String clientId, String topic) throws Exception {
        ClientInformation client = proxy(ClientInformation.class, (m, a) -> m.equals("getClientId") ? clientId : null);
        ConnectionInformation connection = proxy(ConnectionInformation.class, (m, a) -> switch (m) {
            case "getMqttVersion" -> MqttVersion.V_5;
            case "getInetAddress" -> Optional.of(InetAddress.getLoopbackAddress());
            default -> Optional.empty();
        });
        PublishPacket packet = proxy(PublishPacket.class, (m, a) -> switch (m) {
            case "getTopic" -> topic;
            case "getPayload" -> {
                List<byte[]> p = PAYLOAD.get();
                yield Optional.of(ByteBuffer.wrap(p.get(next++ % p.size())).asReadOnlyBuffer());
            }
            default -> Optional.empty();
        });
        return proxy(PublishInboundInput.class, (m, a) -> switch (m) {
            case "getClientInformation" -> client;
            case "getConnectionInformation" -> connection;
            case "getPublishPacket" -> packet;
            default -> null;
        });
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, java.util.function.BiFunction<String, Object[], Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> answers.apply(method.getName(), args));
    }
}
