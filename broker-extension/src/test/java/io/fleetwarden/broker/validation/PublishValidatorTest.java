package io.fleetwarden.broker.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.payload.DeviceEventPayload;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;

/** Size, rate and schema checks, each branch. Time comes from a fake nano clock. */
class PublishValidatorTest {

    static final DevicePayloads PAYLOADS = new DevicePayloads();
    final AtomicLong nanos = new AtomicLong();
    final PublishValidator validator = new PublishValidator(PAYLOADS, 1024, 2.0, 3, nanos::get);

    static byte[] valid() {
        return PAYLOADS.write(new DeviceTelemetryPayload(1, 1_700_000_000_000L, "cam", null,
                new DeviceTelemetryPayload.Firmware("1.0.0", null), 10, 1, 2,
                new DeviceTelemetryPayload.Network(60, 1, 2, 3, 4, List.of(), List.of()), null));
    }

    @Test
    void validTelemetryIsParsed() {
        assertThat(validator.check("acme/d", true, valid())).isInstanceOfSatisfying(PublishValidator.ValidTelemetry.class,
                v -> assertThat(v.payload().model()).isEqualTo("cam"));
    }

    static byte[] boot() {
        return PAYLOADS.write(DeviceEventPayload.boot(1_700_000_000_000L, "POWER_ON", "1.0.0"));
    }

    @Test
    void deviceEventsAreSchemaCheckedAndBoundedToTheirOwnSize() {
        assertThat(validator.check("acme/d", false, boot())).isInstanceOfSatisfying(PublishValidator.ValidEvent.class,
                v -> assertThat(v.payload().type()).isEqualTo("BOOT"));
        assertThat(validator.check("acme/e", false, "anything".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(PublishValidator.Invalid.class,
                        i -> assertThat(i.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED));
        assertThat(validator.check("acme/f", false, "{\"schema\":1,\"ts\":1,\"type\":\"BOOT\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(PublishValidator.Invalid.class, i -> {
                    assertThat(i.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION);
                    assertThat(i.detail()).contains("bootReason");
                });
        PublishValidator large = new PublishValidator(PAYLOADS, 16384, 2.0, 3, nanos::get);
        assertThat(large.check("acme/g", false, new byte[DevicePayloads.MAX_EVENT_BYTES + 1]))
                .isInstanceOfSatisfying(PublishValidator.Invalid.class,
                        i -> assertThat(i.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_TOO_LARGE));
    }

    @Test
    void oversizedIsRefused() {
        assertThat(validator.check("acme/d", true, new byte[1025]))
                .isEqualTo(new PublishValidator.Invalid(SecurityEventReasons.PAYLOAD_TOO_LARGE,
                        "payload of 1025 bytes exceeds the maximum of 1024"));
        assertThat(validator.check("acme/e", false, new byte[1025])).isInstanceOf(PublishValidator.Invalid.class);
    }

    @Test
    void malformedJsonIsRefused() {
        assertThat(validator.check("acme/d", true, "{oops".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(PublishValidator.Invalid.class,
                        i -> assertThat(i.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_MALFORMED));
    }

    @Test
    void schemaViolationIsRefused() {
        assertThat(validator.check("acme/d", true, "{\"schema\":2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(PublishValidator.Invalid.class,
                        i -> assertThat(i.reason()).isEqualTo(SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION));
    }

    @Test
    void rateLimitAllowsTheBurstThenRefusesUntilRefilled() {
        for (int i = 0; i < 3; i++) {
            assertThat(validator.check("acme/d", false, boot())).isInstanceOf(PublishValidator.ValidEvent.class);
        }
        assertThat(validator.check("acme/d", false, new byte[1])).isInstanceOfSatisfying(PublishValidator.Invalid.class,
                i -> assertThat(i.reason()).isEqualTo(SecurityEventReasons.RATE_LIMIT_EXCEEDED));
        // another device has its own bucket
        assertThat(validator.check("acme/other", false, boot())).isInstanceOf(PublishValidator.ValidEvent.class);
        nanos.addAndGet(499_000_000L); // 0.998 tokens at 2/s: still refused
        assertThat(validator.check("acme/d", false, new byte[1])).isInstanceOf(PublishValidator.Invalid.class);
        nanos.addAndGet(1_000_000L);
        assertThat(validator.check("acme/d", false, boot())).isInstanceOf(PublishValidator.ValidEvent.class);
    }

    @Test
    void tokenBucketNeverExceedsCapacity() {
        TokenBucket b = new TokenBucket(1, 2, 0);
        long later = 3_600_000_000_000L;
        assertThat(b.tryTake(later)).isTrue();
        assertThat(b.tryTake(later)).isTrue();
        assertThat(b.tryTake(later)).isFalse();
        assertThat(b.tryTake(later - 1000)).as("time going backwards adds nothing").isFalse();
    }
}
