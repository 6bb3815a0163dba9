package io.fleetwarden.broker.validation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.payload.DeviceEventPayload;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.model.payload.PayloadValidationException;

/**
 * Checks one device PUBLISH (Code of Practice guideline 13): per-device rate limit, maximum size, and
 * the device payload JSON Schema from the event model (telemetry, or lifecycle events, which also have
 * their own, smaller size bound). Thread-safe.
 *
 * <p>The rate limit counts every publish the device makes (valid or not), so a device cannot flood the
 * broker with malformed messages either. Buckets are kept per device key across reconnects (so a
 * reconnect does not refill the bucket); their number is bounded by the number of devices holding a
 * valid certificate.
 */
public final class PublishValidator {

    /** Result of a check. */
    public sealed interface Verdict {
    }

    /** Valid telemetry, with the parsed payload. */
    public record ValidTelemetry(DeviceTelemetryPayload payload) implements Verdict {
    }

    /** A valid device lifecycle event ({@code devices/{id}/events}), with the parsed payload. */
    public record ValidEvent(DeviceEventPayload payload) implements Verdict {
    }

    /** Refused: reason code and detail for the PUBACK reason string and the security event. */
    public record Invalid(String reason, String detail) implements Verdict {
    }

    private final DevicePayloads payloads;
    private final int maxBytes;
    private final double ratePerSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public PublishValidator(DevicePayloads payloads, int maxBytes, double ratePerSecond, int burst, LongSupplier nanoTime) {
        this.payloads = payloads;
        this.maxBytes = maxBytes;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /**
     * @param deviceKey  device key (rate-limit bucket)
     * @param telemetry  whether the topic is the device's telemetry topic (else its events topic)
     * @param payload    the payload bytes
     */
    public Verdict check(String deviceKey, boolean telemetry, byte[] payload) {
        long now = nanoTime.getAsLong();
        TokenBucket bucket = buckets.get(deviceKey); // the common case, without a capturing lambda per publish
        if (bucket == null) {
            bucket = buckets.computeIfAbsent(deviceKey, k -> new TokenBucket(ratePerSecond, burst, now));
        }
        if (!bucket.tryTake(now)) {
            return new Invalid(SecurityEventReasons.RATE_LIMIT_EXCEEDED,
                    "more than " + ratePerSecond + " publishes/s (burst " + burst + ")");
        }
        if (payload.length > maxBytes) {
            return new Invalid(SecurityEventReasons.PAYLOAD_TOO_LARGE,
                    "payload of " + payload.length + " bytes exceeds the maximum of " + maxBytes);
        }
        try {
            return telemetry ? new ValidTelemetry(payloads.parseTelemetry(payload)) : new ValidEvent(payloads.parseEvent(payload));
        } catch (PayloadValidationException e) {
            return new Invalid(e.reason(), String.join("; ", e.violations()));
        }
    }
}
