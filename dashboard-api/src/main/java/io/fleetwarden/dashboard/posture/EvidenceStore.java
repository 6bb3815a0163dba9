package io.fleetwarden.dashboard.posture;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.fleetwarden.dashboard.posture.Evidence.RecordRef;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.UpdateState;

/**
 * The posture evidence materialised from {@code fleet.telemetry} and {@code fleet.security-events}
 * (one bounded {@link DeviceEvidence} per device), plus the position of the latest record per key of
 * the compacted topics the standings read (device status, firmware catalogue, advisories), so that
 * evidence taken from those stores can name its record.
 *
 * <p>Only records with a verified identity (tenant and device id set by the broker from the
 * certificate) count for a device; a device can neither claim another's records nor create devices
 * here. Default-credential attempts without an identity are counted per claimed model (capped) for
 * the PSTI statement. Memory: fixed per device, at most {@link #MAX_DEVICES} devices (beyond that
 * records are counted as dropped), at most {@link #MAX_MODELS} model buckets. Thread-safe.
 */
public final class EvidenceStore {

    static final int MAX_DEVICES = 1_000_000;
    static final int MAX_MODELS = 1_000;
    static final String UNATTRIBUTED = "(no model)";

    /** Unverified default-credential attempts of one claimed model. */
    public record UnverifiedAttempts(long count, RecordRef last) {
    }

    private final ConcurrentHashMap<String, DeviceEvidence> devices = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RecordRef> latest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UnverifiedAttempts> unverified = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private volatile Erased erased = (tenant, deviceId, at) -> false;

    /** Whether a record of a device stamped {@code at} (broker time) falls under the device's erasure. */
    @FunctionalInterface
    public interface Erased {
        boolean covers(String tenant, String deviceId, Instant at);
    }

    /**
     * Sets the erasure test (decommission): a record of an erased device stamped at or before its
     * erasure is not counted, so a replay of {@code fleet.telemetry} / {@code fleet.security-events}
     * never rebuilds the evidence of an erased device; later records are new facts and count.
     */
    public void setSuppression(Erased erased) {
        this.erased = erased;
    }

    /**
     * An erasure record was read: the device's evidence is dropped, whatever order the topics
     * were replayed in. The evidence is a summary that cannot tell records before the erasure from
     * those after it, so records after the erasure read before the erasure record are dropped with it
     * (erasure wins); records read afterwards count again.
     */
    public void onErasure(String tenant, String deviceId, Instant erasedAt) {
        forget(tenant, deviceId);
    }

    /** Notes the position of the latest record of {@code ref.key()} on a compacted topic (null value = tombstone). */
    public void noteKeyed(RecordRef ref, boolean tombstone) {
        if (ref.key() == null) {
            return;
        }
        String k = ref.topic() + "\u0000" + ref.key();
        if (tombstone) {
            latest.remove(k);
        } else {
            latest.put(k, ref);
        }
    }

    /** The latest record of {@code key} on {@code topic}, if read. */
    public Optional<RecordRef> keyed(String topic, String key) {
        return Optional.ofNullable(latest.get(topic + "\u0000" + key));
    }

    /** Applies one telemetry record; {@code ref.at()} must be the broker's receive time. */
    public void applyTelemetry(Telemetry t, RecordRef ref) {
        if (erased.covers(t.getTenant(), t.getDeviceId(), ref.at())) {
            suppressed.incrementAndGet();
            return;
        }
        DeviceEvidence e = device(DeviceKeys.of(t.getTenant(), t.getDeviceId()));
        if (e == null) {
            return;
        }
        synchronized (e) {
            e.telemetry++;
            if (e.firstTelemetry == null || ref.at().isBefore(e.firstTelemetry.at())) {
                e.firstTelemetry = ref;
            }
            boolean newest = e.lastTelemetry == null || !ref.at().isBefore(e.lastTelemetry.at());
            if (newest) {
                e.lastTelemetry = ref;
                e.model = t.getModel();
                e.firmwareVersion = t.getFirmwareVersion();
                e.imageHash = t.getFirmwareImageHash() == null ? null : t.getFirmwareImageHash().toLowerCase(Locale.ROOT);
                e.imageHashRef = ref;
                List<Integer> ports = t.getListeningPorts();
                e.listeningPorts = List.copyOf(ports.size() > DeviceEvidence.MAX_PORTS
                        ? ports.subList(0, DeviceEvidence.MAX_PORTS) : ports);
            }
            tls(e, t.getBroker(), ref);
            certificate(e, t.getBroker(), ref);
            if (t.getUpdate() != null) {
                UpdateState s = t.getUpdate().getState();
                if (s == UpdateState.SUCCEEDED || s == UpdateState.FAILED) {
                    String attempt = t.getUpdate().getTargetVersion() + "#" + t.getUpdate().getAttempt();
                    if (s == UpdateState.FAILED && !attempt.equals(e.lastFailedAttempt)) {
                        e.updatesFailed++; // one failed attempt is counted once, however many reports repeat it
                        e.lastFailedAttempt = attempt;
                    } else if (s == UpdateState.SUCCEEDED && !"SUCCEEDED".equals(e.lastUpdateState)) {
                        e.updatesSucceeded++;
                    }
                    if (e.lastUpdate == null || !ref.at().isBefore(e.lastUpdate.at())) {
                        e.lastUpdate = ref;
                        e.lastUpdateState = s.name();
                        e.lastUpdateTarget = t.getUpdate().getTargetVersion();
                    }
                }
            }
        }
    }

    /** Applies one security event; only events with a verified identity count for a device. */
    public void applySecurityEvent(SecurityEvent s, RecordRef ref) {
        if (s.getTenant() == null || s.getDeviceId() == null) {
            if (s.getType() == io.fleetwarden.model.SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT) {
                String model = s.getModel() == null || s.getModel().isBlank() || s.getModel().length() > 64
                        ? UNATTRIBUTED : s.getModel();
                if (!unverified.containsKey(model) && unverified.size() >= MAX_MODELS) {
                    model = UNATTRIBUTED;
                }
                unverified.merge(model, new UnverifiedAttempts(1, ref),
                        (a, b) -> new UnverifiedAttempts(a.count() + 1, b.last().at().isBefore(a.last().at()) ? a.last() : b.last()));
            }
            return;
        }
        if (erased.covers(s.getTenant(), s.getDeviceId(), ref.at())) {
            suppressed.incrementAndGet();
            return;
        }
        DeviceEvidence e = device(DeviceKeys.of(s.getTenant(), s.getDeviceId()));
        if (e == null) {
            return;
        }
        synchronized (e) {
            switch (s.getType()) {
                case CONNECT -> {
                    e.connects++;
                    if (s.getUsername() != null) {
                        e.connectsWithUsername++;
                    }
                    if (e.lastDisconnect != null && !ref.at().isBefore(e.lastDisconnect.at())
                            && (e.lastConnect == null || e.lastConnect.at().isBefore(e.lastDisconnect.at()))) {
                        e.recoveredFrom = e.lastDisconnect;
                        e.recovery = ref;
                    }
                    if (e.lastConnect == null || !ref.at().isBefore(e.lastConnect.at())) {
                        e.lastConnect = ref;
                    }
                    tls(e, s.getBroker(), ref);
                    certificate(e, s.getBroker(), ref);
                }
                case DISCONNECT -> {
                    e.disconnects++;
                    if (e.lastDisconnect == null || !ref.at().isBefore(e.lastDisconnect.at())) {
                        e.lastDisconnect = ref;
                        e.lastDisconnectReason = s.getReason();
                    }
                }
                case DEFAULT_CREDENTIAL_ATTEMPT -> {
                    e.defaultCredentialAttempts++;
                    if (e.lastDefaultCredential == null || !ref.at().isBefore(e.lastDefaultCredential.at())) {
                        e.lastDefaultCredential = ref;
                    }
                }
                case VALIDATION_FAILURE -> {
                    e.validationFailures++;
                    if (e.lastValidationFailure == null || !ref.at().isBefore(e.lastValidationFailure.at())) {
                        e.lastValidationFailure = ref;
                        e.lastValidationReason = s.getReason();
                    }
                }
                case AUTHENTICATION_FAILURE -> {
                    if (SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED.equals(s.getReason())) {
                        e.tlsBad++;
                        if (e.lastTlsBad == null || !ref.at().isBefore(e.lastTlsBad.at())) {
                            e.lastTlsBad = ref;
                            BrokerContext b = s.getBroker();
                            e.badProtocol = b == null ? null : b.getTlsProtocol();
                            e.badCipher = b == null ? null : b.getTlsCipher();
                        }
                    }
                }
                default -> {
                    // authorization failures and quarantine enforcement are alert material, not posture evidence here
                }
            }
        }
    }

    private DeviceEvidence device(String key) {
        DeviceEvidence e = devices.get(key);
        if (e != null) {
            return e;
        }
        if (devices.size() >= MAX_DEVICES) {
            dropped.incrementAndGet();
            return null;
        }
        return devices.computeIfAbsent(key, k -> new DeviceEvidence());
    }

    /** TLS 1.2 or 1.3 with an AEAD suite (GCM, CCM, ChaCha20-Poly1305). */
    static boolean strongTls(String protocol, String cipher) {
        if (protocol == null || cipher == null) {
            return false;
        }
        String c = cipher.toUpperCase(Locale.ROOT);
        return (protocol.equals("TLSv1.2") || protocol.equals("TLSv1.3"))
                && (c.contains("_GCM_") || c.endsWith("_GCM") || c.contains("_CCM") || c.contains("CHACHA20_POLY1305"));
    }

    private static void tls(DeviceEvidence e, BrokerContext b, RecordRef ref) {
        if (b == null || (b.getTlsProtocol() == null && b.getTlsCipher() == null)) {
            return;
        }
        // Counts take every record; the record shown is the latest by broker time (topics interleave on replay).
        if (strongTls(b.getTlsProtocol(), b.getTlsCipher())) {
            e.tlsGood++;
            if (e.lastTlsGood == null || !ref.at().isBefore(e.lastTlsGood.at())) {
                e.lastTlsGood = ref;
            }
        } else {
            e.tlsBad++;
            if (e.lastTlsBad == null || !ref.at().isBefore(e.lastTlsBad.at())) {
                e.lastTlsBad = ref;
                e.badProtocol = b.getTlsProtocol();
                e.badCipher = b.getTlsCipher();
            }
        }
    }

    private static void certificate(DeviceEvidence e, BrokerContext b, RecordRef ref) {
        if (b == null || b.getCertificateNotAfter() == null) {
            return;
        }
        Instant notAfter = b.getCertificateNotAfter();
        if (e.certificateNotAfter != null && notAfter.isAfter(e.certificateNotAfter)
                && (e.certificateRef == null || !ref.at().isBefore(e.certificateRef.at()))) {
            // A later certificate replaced the one seen before: renewed ahead when it arrived before the old one expired.
            e.renewedFrom = e.certificateNotAfter;
            e.renewal = ref;
            e.renewedAhead = ref.at().isBefore(e.certificateNotAfter);
        }
        if (e.certificateRef == null || !ref.at().isBefore(e.certificateRef.at())) {
            e.certificateNotAfter = notAfter;
            e.certificateRef = ref;
        }
    }

    /** A snapshot of a device's evidence, if any record of it was read. */
    Optional<DeviceEvidence> device(String tenant, String deviceId) {
        DeviceEvidence e = devices.get(DeviceKeys.of(tenant, deviceId));
        return e == null ? Optional.empty() : Optional.of(e.copy());
    }

    /** Every device key with evidence. */
    public Set<String> keys() {
        return Set.copyOf(devices.keySet());
    }

    /** Drops a device's evidence (decommission). */
    public void forget(String tenant, String deviceId) {
        devices.remove(DeviceKeys.of(tenant, deviceId));
    }

    /** Unverified default-credential attempts per claimed model. */
    public Map<String, UnverifiedAttempts> unverifiedDefaultCredentialAttempts() {
        return new TreeMap<>(unverified);
    }

    public long dropped() {
        return dropped.get();
    }

    /** Records not counted because they fall under a device's erasure. */
    public long suppressed() {
        return suppressed.get();
    }

    /** The topics this store reads. */
    public static List<String> topics() {
        return List.of(Topics.TELEMETRY, Topics.SECURITY_EVENTS);
    }
}
