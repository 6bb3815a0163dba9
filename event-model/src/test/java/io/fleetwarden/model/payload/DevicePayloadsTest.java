package io.fleetwarden.model.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.Samples;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;

class DevicePayloadsTest {

    private final DevicePayloads payloads = new DevicePayloads();

    static DeviceTelemetryPayload sample() {
        return new DeviceTelemetryPayload(1, Samples.T0.toEpochMilli(), "cam-x1", "eu-west",
                new DeviceTelemetryPayload.Firmware("2.4.1",
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
                86_400, 12.5, 41.0,
                new DeviceTelemetryPayload.Network(30, 12_000, 48_000, 90, 160, List.of(80, 443),
                        List.of(new DeviceTelemetryPayload.Connection("203.0.113.10", 443, "tcp"),
                                new DeviceTelemetryPayload.Connection("203.0.113.11", 8883, "tcp"))),
                new DeviceTelemetryPayload.Update("IDLE", null, 0, null));
    }

    @Test
    void validPayloadRoundTripsAndMapsToTheRecordTheBrokerForwards() throws Exception {
        byte[] json = payloads.write(sample());
        DeviceTelemetryPayload parsed = payloads.parseTelemetry(json);
        assertThat(parsed).isEqualTo(sample());

        Telemetry telemetry = DevicePayloads.toTelemetry("acme", "cam-000042", parsed, Samples.broker(),
                Samples.T0.plusMillis(35), false);
        assertThat(telemetry).isEqualTo(Samples.telemetry());
    }

    /**
     * toTelemetry fills the record through its setters; the Builder, which validates every value and fills defaults,
     * must make exactly the same record of it (a field left unset would be null here and its default or a refusal
     * there), for a payload with every optional part and for a minimal one.
     */
    @Test
    void theRecordSetsEveryFieldAsTheBuilderWould() throws Exception {
        String minimal = """
                {"schema":1,"ts":1764590400000,"model":"plug-p2","firmware":{"version":"1.0"},
                 "uptimeSeconds":5,"cpuPercent":1,"memoryPercent":2,
                 "network":{"intervalSeconds":60,"bytesIn":0,"bytesOut":0,"packetsIn":0,"packetsOut":0}}""";
        for (DeviceTelemetryPayload p : List.of(sample(), payloads.parseTelemetry(minimal.getBytes(StandardCharsets.UTF_8)))) {
            Telemetry t = DevicePayloads.toTelemetry("acme", "cam-1", p, Samples.broker(), Samples.T0.plusNanos(1_500_000), true);
            for (org.apache.avro.Schema.Field f : Telemetry.getClassSchema().getFields()) {
                boolean nullable = f.schema().getType() == org.apache.avro.Schema.Type.UNION;
                assertThat(nullable || t.get(f.pos()) != null).as("required field %s is set", f.name()).isTrue();
            }
            assertThat(Telemetry.newBuilder(t).build()).isEqualTo(t);
            assertThat(t.getReceivedAt()).as("truncated to the schema's millis").isEqualTo(Samples.T0.plusMillis(1));
            assertThat(io.fleetwarden.model.codec.Codecs.TELEMETRY.decode(io.fleetwarden.model.codec.Codecs.TELEMETRY.encode(t)))
                    .isEqualTo(t);
        }
        assertThatThrownBy(() -> DevicePayloads.toTelemetry("acme", "cam-1", sample(), null, Instant.EPOCH, false))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void minimalPayloadIsAccepted() throws Exception {
        String json = """
                {"schema":1,"ts":1764590400000,"model":"plug-p2","firmware":{"version":"1.0"},
                 "uptimeSeconds":5,"cpuPercent":1,"memoryPercent":2,
                 "network":{"intervalSeconds":60,"bytesIn":0,"bytesOut":0,"packetsIn":0,"packetsOut":0}}""";
        DeviceTelemetryPayload parsed = payloads.parseTelemetry(json.getBytes(StandardCharsets.UTF_8));
        Telemetry t = DevicePayloads.toTelemetry("acme", "plug-1", parsed, Samples.broker(), Instant.EPOCH, true);
        assertThat(t.getListeningPorts()).isEmpty();
        assertThat(t.getConnections()).isEmpty();
        assertThat(t.getUpdate()).isNull();
        assertThat(t.getRegion()).isNull();
        assertThat(t.getQuarantined()).isTrue();
    }

    @Test
    void updateStateMapsToTheEnum() throws Exception {
        DeviceTelemetryPayload failing = new DeviceTelemetryPayload(1, 1, "cam-x1", null,
                new DeviceTelemetryPayload.Firmware("2.4.1", null), 1, 1, 1,
                new DeviceTelemetryPayload.Network(30, 0, 0, 0, 0, null, null),
                new DeviceTelemetryPayload.Update("FAILED", "2.5.0", 3, "signature check failed"));
        DeviceTelemetryPayload parsed = payloads.parseTelemetry(payloads.write(failing));
        Telemetry t = DevicePayloads.toTelemetry("acme", "cam-1", parsed, Samples.broker(), Instant.EPOCH, false);
        assertThat(t.getUpdate().getState()).isEqualTo(UpdateState.FAILED);
        assertThat(t.getUpdate().getAttempt()).isEqualTo(3);
    }

    @Test
    void malformedJsonIsRefusedAsMalformed() {
        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseTelemetry("{\"schema\":1,".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED);
        assertThat(catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseTelemetry(new byte[0])).reason()).isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED);
        assertThat(catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseTelemetry("{} {}".getBytes(StandardCharsets.UTF_8))).reason())
                .isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED);
    }

    @Test
    void duplicateKeysAreMalformed() {
        assertThatThrownBy(() -> payloads.parseTelemetry("{\"schema\":1,\"schema\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(PayloadValidationException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED));
    }

    @Test
    void schemaViolationsAreNamed() {
        String json = new String(payloads.write(sample()), StandardCharsets.UTF_8)
                .replace("\"cpuPercent\":12.5", "\"cpuPercent\":250")
                .replace("\"version\":\"2.4.1\"", "\"version\":\"latest\"");
        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseTelemetry(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
        assertThat(String.join(" ", e.violations())).contains("cpuPercent").contains("version");
    }

    @Test
    void unknownFieldsAndClaimedIdentityAreRefused() {
        String json = new String(payloads.write(sample()), StandardCharsets.UTF_8)
                .replace("{\"schema\":1,", "{\"schema\":1,\"deviceId\":\"someone-else\",");
        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseTelemetry(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
        assertThat(String.join(" ", e.violations())).contains("deviceId");
    }

    @Test
    void deeplyNestedInputIsRefusedBeforeValidation() {
        String deep = "[".repeat(100) + "]".repeat(100);
        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseTelemetry(deep.getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED);
    }
}
