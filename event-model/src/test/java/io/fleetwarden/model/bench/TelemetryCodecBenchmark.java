package io.fleetwarden.model.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.fleetwarden.model.Samples;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.codec.Codecs;

/**
 * Serialise + deserialise cost of one telemetry record: the chosen Kafka format (Avro single-object
 * encoding) against plain Jackson JSON of the same data (a Java record mirror, the usual
 * alternative). Run with {@code ./mvnw -pl event-model -am test-compile exec:exec -Pbench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TelemetryCodecBenchmark {

    /** The same fields as {@link Telemetry}, as a plain JSON document would carry them. */
    public record TelemetryJson(String tenant, String deviceId, String model, String region, long deviceTime,
                                long receivedAt, String firmwareVersion, String firmwareImageHash,
                                long uptimeSeconds, double cpuPercent, double memoryPercent, int intervalSeconds,
                                long bytesIn, long bytesOut, long packetsIn, long packetsOut,
                                List<Integer> listeningPorts, List<Conn> connections, Update update, Broker broker,
                                boolean quarantined) {
    }

    public record Conn(String remoteAddress, int remotePort, String protocol) {
    }

    public record Update(String state, String targetVersion, int attempt, String failureReason) {
    }

    public record Broker(String brokerId, String sourceAddress, Integer sourcePort, String tlsProtocol,
                         String tlsCipher, String certificateFingerprint, String certificateSerial,
                         Long certificateNotAfter, String mqttVersion) {
    }

    private Telemetry avroRecord;
    private byte[] avroBytes;
    private TelemetryJson jsonRecord;
    private byte[] jsonBytes;
    private ObjectMapper mapper;

    @Setup
    public void setUp() throws Exception {
        avroRecord = Samples.telemetry();
        avroBytes = Codecs.TELEMETRY.encode(avroRecord);
        mapper = JsonMapper.builder().build();
        jsonRecord = mirror(avroRecord);
        jsonBytes = mapper.writeValueAsBytes(jsonRecord);
    }

    static TelemetryJson mirror(Telemetry t) {
        var b = t.getBroker();
        return new TelemetryJson(t.getTenant(), t.getDeviceId(), t.getModel(), t.getRegion(), t.getDeviceTime().toEpochMilli(),
                t.getReceivedAt().toEpochMilli(),
                t.getFirmwareVersion(), t.getFirmwareImageHash(), t.getUptimeSeconds(), t.getCpuPercent(),
                t.getMemoryPercent(), t.getIntervalSeconds(), t.getBytesIn(), t.getBytesOut(), t.getPacketsIn(),
                t.getPacketsOut(), t.getListeningPorts(),
                t.getConnections().stream().map(c -> new Conn(c.getRemoteAddress(), c.getRemotePort(), c.getProtocol())).toList(),
                new Update(t.getUpdate().getState().name(), t.getUpdate().getTargetVersion(), t.getUpdate().getAttempt(),
                        t.getUpdate().getFailureReason()),
                new Broker(b.getBrokerId(), b.getSourceAddress(), b.getSourcePort(), b.getTlsProtocol(), b.getTlsCipher(),
                        b.getCertificateFingerprint(), b.getCertificateSerial(),
                        b.getCertificateNotAfter().toEpochMilli(), b.getMqttVersion()),
                t.getQuarantined());
    }

    @Benchmark
    public Telemetry avroRoundTrip() throws Exception {
        return Codecs.TELEMETRY.decode(Codecs.TELEMETRY.encode(avroRecord));
    }

    @Benchmark
    public TelemetryJson jacksonJsonRoundTrip() throws Exception {
        return mapper.readValue(mapper.writeValueAsBytes(jsonRecord), TelemetryJson.class);
    }

    @Benchmark
    public byte[] avroSerialise() {
        return Codecs.TELEMETRY.encode(avroRecord);
    }

    @Benchmark
    public Telemetry avroDeserialise() throws Exception {
        return Codecs.TELEMETRY.decode(avroBytes);
    }

    @Benchmark
    public byte[] jacksonJsonSerialise() throws Exception {
        return mapper.writeValueAsBytes(jsonRecord);
    }

    @Benchmark
    public TelemetryJson jacksonJsonDeserialise() throws Exception {
        return mapper.readValue(jsonBytes, TelemetryJson.class);
    }

    /** Encoded sizes, printed once so the README can quote them. */
    public static void main(String[] args) throws Exception {
        TelemetryCodecBenchmark b = new TelemetryCodecBenchmark();
        b.setUp();
        System.out.printf("avro bytes=%d json bytes=%d%n", b.avroBytes.length, b.jsonBytes.length);
    }
}
