package io.fleetwarden.broker.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.fleetwarden.broker.identity.AuthDecision.Connack;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.broker.validation.TokenBucket;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.EnrolmentCa;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * This broker's copy of the device registry ({@code fleet.device-registry}, replayed and followed by the controls
 * reader: registrations and the tenants' enrolment CAs) and the rule that judges a verified identity against it.
 * Thread-safe.
 *
 * <p>When enforcement is on, a device is admitted only when it has a registration, the registration's state admits it
 * ({@code enrolled} or {@code active}) and the presented certificate is one of its registered fingerprints or was
 * issued by one of its registered CAs. Fail closed: a device whose registration record could not be read is treated
 * as unregistered (the bad record is skipped and counted by the reader).
 *
 * <p>Just-in-time registration: a device WITHOUT a registration whose verified chain contains an {@link EnrolmentCa}
 * is judged by that CA's template instead of being refused as unregistered. The CA must belong to the certificate's
 * own tenant ({@code jit-tenant-mismatch}), the device id must match the template's pattern
 * ({@code jit-device-id-not-allowed}) and the tenant's JIT admissions on this broker are rate-limited
 * ({@code jit-rate-limited}). Then the device is admitted with the template's model and region (or, when the template
 * requires approval, refused with {@code registration-pending-approval}), and the verdict carries the registration
 * request attributes ({@link SecurityEventReasons#ATTR_JIT}) that the security event takes to the control plane, which
 * writes the registration (brokers never write the registry). Until it arrives, the certificate that asked first holds
 * the device id for {@link #JIT_HOLD}: a different certificate for the same id is refused ({@code jit-conflict}), the
 * same certificate reconnecting is judged again without spending the rate. Once the registration exists it decides,
 * so a suspended, decommissioned or pending device never re-registers by JIT, and the pinned fingerprint means a
 * second certificate of the enrolment CA cannot take over the id.
 */
public final class DeviceRegistry {

    /** How long the first certificate asking for a JIT registration holds its device id (the control plane's write). */
    public static final Duration JIT_HOLD = Duration.ofMinutes(10);
    /** Device ids held at once (bounded: the rate limit keeps it far lower). */
    private static final int JIT_HOLD_MAX = 100_000;

    /** How a registry judges: admitted (with the registration it is admitted by) or refused. */
    public sealed interface Verdict permits Admission, Refusal {
    }

    /**
     * Admitted.
     *
     * @param registration the registration (for a JIT admission the one the template describes, not yet written)
     * @param attributes   the JIT registration request for the CONNECT event, else empty
     */
    public record Admission(DeviceRegistration registration, Map<String, String> attributes) implements Verdict {
    }

    /**
     * A refusal by the registry: the CONNACK reason, the security event reason code, a readable detail and extra event
     * attributes (the JIT registration request when the template requires approval).
     */
    public record Refusal(Connack connack, String reason, String detail, Map<String, String> attributes)
            implements Verdict {
        public Refusal(Connack connack, String reason, String detail) {
            this(connack, reason, detail, Map.of());
        }
    }

    private final Map<String, DeviceRegistration> byKey = new ConcurrentHashMap<>();
    /** Enrolment CAs by CA fingerprint. */
    private final Map<String, EnrolmentCa> enrolmentCas = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> jitBuckets = new ConcurrentHashMap<>();
    /** device key -> fingerprint of the certificate whose JIT registration is under way. */
    private final Cache<String, String> jitHolds;
    private final double jitPerSecond;
    private final int jitBurst;
    private final LongSupplier nanos;

    /** A registry with the default JIT rate (60 per minute per tenant, burst 20). */
    public DeviceRegistry() {
        this(60, 20, System::nanoTime);
    }

    /**
     * @param jitPerMinute JIT admissions per tenant per minute on this broker (refill rate)
     * @param jitBurst     JIT admissions a tenant may make at once
     * @param nanos        monotonic time in nanoseconds (tests pass their own)
     */
    public DeviceRegistry(double jitPerMinute, int jitBurst, LongSupplier nanos) {
        if (!(jitPerMinute > 0) || jitBurst < 1) {
            throw new IllegalArgumentException("JIT rate must be positive and burst at least 1");
        }
        this.jitPerSecond = jitPerMinute / 60d;
        this.jitBurst = jitBurst;
        this.nanos = nanos;
        this.jitHolds = Caffeine.newBuilder().maximumSize(JIT_HOLD_MAX)
                .expireAfterWrite(JIT_HOLD.toNanos(), TimeUnit.NANOSECONDS).ticker(nanos::getAsLong).build();
    }

    /**
     * Applies one topic record (null value = tombstone: the device is no longer registered, or the CA no longer
     * enrols).
     *
     * @throws IllegalArgumentException when the record is malformed (the reader skips and counts it)
     */
    public void apply(String key, byte[] value) {
        if (EnrolmentCa.isKey(key)) {
            EnrolmentCa ca = EnrolmentCa.parse(key, value);
            String fingerprint = key.substring(EnrolmentCa.KEY_PREFIX.length());
            if (ca == null) {
                enrolmentCas.remove(fingerprint);
            } else {
                enrolmentCas.put(fingerprint, ca);
            }
            return;
        }
        DeviceKeys.parse(key);
        DeviceRegistration r = DeviceRegistration.parse(key, value);
        if (r == null) {
            byKey.remove(key);
        } else {
            byKey.put(key, r);
            jitHolds.invalidate(key);
        }
    }

    /** The registration of a device, if it has one. */
    public Optional<DeviceRegistration> get(String tenant, String deviceId) {
        String key = DeviceKeys.ofValid(tenant, deviceId);
        return key == null ? Optional.empty() : Optional.ofNullable(byKey.get(key));
    }

    /** The enrolment CA with this fingerprint, if one is configured. */
    public Optional<EnrolmentCa> enrolmentCa(String fingerprint) {
        return Optional.ofNullable(fingerprint == null ? null : enrolmentCas.get(fingerprint));
    }

    public int size() {
        return byKey.size();
    }

    /** Enrolment CAs configured (all tenants). */
    public int enrolmentCaCount() {
        return enrolmentCas.size();
    }

    /**
     * Judges a verified identity (see {@link #judge}); a JIT admission counts as admitted.
     *
     * @return the refusal, or empty when the registry admits the device
     */
    public Optional<Refusal> check(DeviceIdentity identity, List<String> issuerFingerprints) {
        Verdict v = judge(identity, issuerFingerprints);
        return v instanceof Refusal r ? Optional.of(r) : Optional.empty();
    }

    /**
     * Judges a verified identity.
     *
     * @param identity           the identity verified from the certificate
     * @param issuerFingerprints SHA-256 fingerprints of the CA certificates above the leaf in its verified path (the
     *                           presented intermediates and the trust anchor)
     */
    public Verdict judge(DeviceIdentity identity, List<String> issuerFingerprints) {
        DeviceRegistration r = byKey.get(identity.key());
        if (r == null) {
            return judgeJit(identity, issuerFingerprints);
        }
        switch (r.state()) {
            case SUSPENDED:
                return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_SUSPENDED,
                        "device " + identity.key() + " is suspended in the registry");
            case DECOMMISSIONED:
                return new Refusal(Connack.BANNED, SecurityEventReasons.DEVICE_DECOMMISSIONED,
                        "device " + identity.key() + " is decommissioned");
            case PENDING:
                return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.REGISTRATION_PENDING_APPROVAL,
                        "device " + identity.key() + " waits for an operator to approve its registration");
            default:
                break;
        }
        if (!r.allowsCertificate(identity.fingerprint())
                && !r.allowsIssuerOf(issuerFingerprints)) {
            return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.CERTIFICATE_NOT_REGISTERED,
                    "certificate sha256:" + identity.fingerprint() + " is not registered for device " + identity.key());
        }
        return new Admission(r, Map.of());
    }

    private Verdict judgeJit(DeviceIdentity identity, List<String> issuerFingerprints) {
        EnrolmentCa ca = null;
        for (String f : issuerFingerprints) {
            ca = enrolmentCas.get(f);
            if (ca != null) {
                break;
            }
        }
        if (ca == null) {
            return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_NOT_REGISTERED,
                    "device " + identity.key() + " is not registered; enrol it before it connects");
        }
        if (!ca.tenant().equals(identity.tenant())) {
            // the other tenant is not named: whether it exists does not leak to the device
            return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.JIT_TENANT_MISMATCH,
                    "the certificate of " + identity.key() + " chains to an enrolment CA that does not enrol devices of"
                            + " tenant " + identity.tenant());
        }
        EnrolmentCa.Template t = ca.template();
        if (!t.allows(identity.deviceId())) {
            return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.JIT_DEVICE_ID_NOT_ALLOWED,
                    "device id " + identity.deviceId() + " does not match the enrolment CA's pattern "
                            + t.deviceIdPattern());
        }
        String key = identity.key();
        String holder = jitHolds.getIfPresent(key);
        if (holder != null && !holder.equals(identity.fingerprint())) {
            return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.JIT_CONFLICT,
                    "another certificate is being registered for device " + key);
        }
        if (holder == null) {
            TokenBucket bucket = jitBuckets.computeIfAbsent(identity.tenant(),
                    k -> new TokenBucket(jitPerSecond, jitBurst, nanos.getAsLong()));
            if (!bucket.tryTake(nanos.getAsLong())) {
                return new Refusal(Connack.CONNECTION_RATE_EXCEEDED, SecurityEventReasons.JIT_RATE_LIMITED,
                        "too many just-in-time registrations for tenant " + identity.tenant() + "; retry later");
            }
            String prior = jitHolds.asMap().putIfAbsent(key, identity.fingerprint());
            if (prior != null && !prior.equals(identity.fingerprint())) {
                return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.JIT_CONFLICT,
                        "another certificate is being registered for device " + key);
            }
        }
        Map<String, String> request = Map.of(SecurityEventReasons.ATTR_JIT, SecurityEventReasons.JIT_REQUESTED,
                SecurityEventReasons.ATTR_ENROLMENT_CA, ca.fingerprint(),
                SecurityEventReasons.ATTR_CERTIFICATE_NOT_AFTER, String.valueOf(identity.notAfter()));
        if (t.approvalRequired()) {
            return new Refusal(Connack.NOT_AUTHORIZED, SecurityEventReasons.REGISTRATION_PENDING_APPROVAL,
                    "device " + key + " is registered on approval; an operator must approve it before it connects",
                    request);
        }
        DeviceRegistration provisional = new DeviceRegistration(identity.tenant(), identity.deviceId(), t.model(),
                t.region(), t.state(), List.of(new DeviceRegistration.Certificate(identity.fingerprint(),
                identity.notAfter())), List.of(), java.time.Instant.EPOCH, null, DeviceRegistration.SOURCE_JIT);
        return new Admission(provisional, request);
    }
}
