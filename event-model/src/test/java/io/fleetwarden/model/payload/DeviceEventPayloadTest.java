package io.fleetwarden.model.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.fleetwarden.model.DeviceEventType;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.Samples;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.codec.Codecs;

/** Device lifecycle events: the three kinds accepted and mapped; every hostile shape refused with a reason. */
class DeviceEventPayloadTest {

    private final DevicePayloads payloads = new DevicePayloads();
    static final long TS = Samples.T0.toEpochMilli();

    @Test
    void bootConfigChangeAndUpdateResultAreAcceptedAndMapToTheForwardedRecord() throws Exception {
        for (DeviceEventPayload p : List.of(
                DeviceEventPayload.boot(TS, "WATCHDOG", "2.4.1"),
                DeviceEventPayload.configChange(TS, "REMOTE", List.of("wifi.ssid", "telnet.enabled")),
                DeviceEventPayload.updateResult(TS, "2.4.1", "2.5.0", "FAILED", "signature check failed"),
                DeviceEventPayload.updateResult(TS, "2.4.1", "2.5.0", "SUCCEEDED", null))) {
            DeviceEventPayload parsed = payloads.parseEvent(payloads.write(p));
            assertThat(parsed).isEqualTo(p);
            DeviceLifecycleEvent e = DevicePayloads.toLifecycleEvent("id-1", "acme", "cam-1", parsed, Samples.broker(),
                    Samples.T0.plusMillis(35));
            assertThat(e.getType()).isEqualTo(DeviceEventType.valueOf(p.type()));
            assertThat(e.getDeviceTime()).isEqualTo(Samples.T0);
            assertThat(e.getReceivedAt()).isEqualTo(Samples.T0.plusMillis(35));
            assertThat(Codecs.DEVICE_EVENT.decode(Codecs.DEVICE_EVENT.encode(e))).isEqualTo(e);
        }
        DeviceLifecycleEvent change = DevicePayloads.toLifecycleEvent("id-2", "acme", "cam-1",
                DeviceEventPayload.configChange(TS, "LOCAL", List.of("telnet.enabled")), Samples.broker(), Samples.T0);
        assertThat(change.getChangedKeys()).containsExactly("telnet.enabled");
        assertThat(change.getConfigSource()).isEqualTo("LOCAL");
    }

    static String violation(DevicePayloads payloads, String json) {
        PayloadValidationException e = catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseEvent(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(e).as(json).isNotNull();
        return e.reason() + ": " + String.join("; ", e.violations());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // unknown kind, missing kind, unknown property (no smuggled identity), wrong version
            "{\"schema\":1,\"ts\":1,\"type\":\"REBOOT_INTO_SHELL\"}",
            "{\"schema\":1,\"ts\":1}",
            "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\",\"deviceId\":\"other\"}",
            "{\"schema\":2,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\"}",
            // a kind without its fields, or with another kind's
            "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\",\"updateResult\":\"FAILED\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"CONFIG_CHANGE\",\"configSource\":\"REMOTE\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"CONFIG_CHANGE\",\"configSource\":\"REMOTE\",\"changedKeys\":[]}",
            "{\"schema\":1,\"ts\":1,\"type\":\"UPDATE_RESULT\",\"fromVersion\":\"1.0\",\"toVersion\":\"1.1\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"UPDATE_RESULT\",\"fromVersion\":\"1.0\",\"toVersion\":\"1.1\",\"updateResult\":\"SUCCEEDED\",\"failureReason\":\"x\"}",
            // hostile values
            "{\"schema\":1,\"ts\":-1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0; rm -rf /\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"CONFIG_CHANGE\",\"configSource\":\"REMOTE\",\"changedKeys\":[\"a\",\"a\"]}",
            "{\"schema\":1,\"ts\":1,\"type\":\"CONFIG_CHANGE\",\"configSource\":\"REMOTE\",\"changedKeys\":[\"<script>\"]}",
            "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\",\"detail\":\"\"}",
            "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":null,\"firmwareVersion\":\"1.0\"}"})
    void schemaViolationsAreRefusedWithReadableViolations(String json) {
        assertThat(violation(payloads, json)).startsWith(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION + ": ");
    }

    @Test
    void malformedAndDuplicateKeysAreRefused() {
        assertThat(violation(payloads, "{\"schema\":1,")).startsWith(SecurityEventReasons.PAYLOAD_MALFORMED);
        assertThat(violation(payloads, "{\"schema\":1,\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"POWER_ON\",\"firmwareVersion\":\"1.0\"}"))
                .startsWith(SecurityEventReasons.PAYLOAD_MALFORMED);
        assertThat(violation(payloads, "")).startsWith(SecurityEventReasons.PAYLOAD_MALFORMED);
    }

    @Test
    void sizeIsBoundedBeforeParsingAndEveryFieldIsBounded() {
        String tooManyKeys = "{\"schema\":1,\"ts\":1,\"type\":\"CONFIG_CHANGE\",\"configSource\":\"REMOTE\",\"changedKeys\":["
                + String.join(",", java.util.stream.IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\"").toList()) + "]}";
        assertThat(violation(payloads, tooManyKeys)).startsWith(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
        String longDetail = "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"CRASH\",\"firmwareVersion\":\"1.0\",\"detail\":\""
                + "x".repeat(257) + "\"}";
        assertThat(violation(payloads, longDetail)).startsWith(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
        String atLimit = "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\",\"bootReason\":\"CRASH\",\"firmwareVersion\":\"1.0\",\"detail\":\""
                + "x".repeat(256) + "\"}";
        assertThat(catchThrowableOfType(PayloadValidationException.class,
                () -> payloads.parseEvent(atLimit.getBytes(StandardCharsets.UTF_8)))).isNull();
        String padded = " ".repeat(DevicePayloads.MAX_EVENT_BYTES) + "{}";
        assertThat(violation(payloads, padded)).startsWith(SecurityEventReasons.PAYLOAD_TOO_LARGE);
    }
}
