package io.fleetwarden.model.payload;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of validating and binding one valid telemetry payload (what the broker does for every publish):
 * {@link DevicePayloads#parseTelemetry} (fast path) against the full path it falls back to (Jackson tree,
 * JSON Schema validation, binding). Run with the event-model {@code bench} profile.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TelemetryValidationBenchmark {

    private DevicePayloads payloads;
    private byte[] minimal;
    private byte[] full;

    @Setup
    public void setUp() {
        payloads = new DevicePayloads();
        minimal = TelemetryFastPathConformanceTest.minimal().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        full = TelemetryFastPathConformanceTest.full().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Benchmark
    public DeviceTelemetryPayload fastPathMinimal() throws PayloadValidationException {
        return payloads.parseTelemetry(minimal);
    }

    @Benchmark
    public DeviceTelemetryPayload schemaPathMinimal() throws PayloadValidationException {
        return payloads.parseTelemetryWithSchema(minimal);
    }

    @Benchmark
    public DeviceTelemetryPayload fastPathFull() throws PayloadValidationException {
        return payloads.parseTelemetry(full);
    }

    @Benchmark
    public DeviceTelemetryPayload schemaPathFull() throws PayloadValidationException {
        return payloads.parseTelemetryWithSchema(full);
    }
}
