package io.fleetwarden.dashboard.device;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.kafka.RecordPublisher;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;

/**
 * Revocation of one certificate by serial or SHA-256 fingerprint alone, without knowing (or the
 * platform having seen) the device that holds it: a key leaked before deployment, a certificate found
 * in the wild. Published on {@code fleet.device-controls} under the reserved scope
 * {@link Scopes#CERTIFICATE} (key {@code _certificate/serial:<hex>} or {@code _certificate/sha256:<hex>}),
 * which every broker applies at CONNECT and to live sessions. Platform-scoped: a serial is not unique
 * across CAs, so such a revocation can affect any tenant; only platform admins issue or lift it.
 * Lifting is a tombstone plus its own audit entry.
 */
public final class CertificateRevocations {

    private final DeviceStore store;
    private final RecordPublisher publisher;
    private final AuditLog audit;
    private final Clock clock;

    public CertificateRevocations(DeviceStore store, RecordPublisher publisher, AuditLog audit, Clock clock) {
        this.store = store;
        this.publisher = publisher;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The canonical id of a certificate: {@code serial:<lowercase hex without leading zeros>} or
     * {@code sha256:<64 lowercase hex>} (colons and case in the input are accepted). Exactly one of
     * the two must be given.
     */
    public static String certificateId(String serial, String fingerprint) {
        if ((serial == null) == (fingerprint == null)) {
            throw ApiException.badRequest("give exactly one of serial (hex) or fingerprint (SHA-256, 64 hex)");
        }
        if (serial != null) {
            String s = serial.replace(":", "").trim().toLowerCase(Locale.ROOT);
            if (!s.matches("[0-9a-f]{1,64}")) {
                throw ApiException.badRequest("serial must be 1-64 hex digits");
            }
            return Scopes.SERIAL_PREFIX + new BigInteger(s, 16).toString(16);
        }
        String f = fingerprint.replace(":", "").trim().toLowerCase(Locale.ROOT);
        if (!f.matches("[0-9a-f]{64}")) {
            throw ApiException.badRequest("fingerprint must be the certificate's SHA-256: 64 hex digits");
        }
        return Scopes.SHA256_PREFIX + f;
    }

    public synchronized Map<String, Object> revoke(Principal p, String serial, String fingerprint, String reason) {
        String id = certificateId(serial, fingerprint);
        DeviceControl current = store.certificate(id).orElse(null);
        Instant now = clock.instant();
        if (current != null && !now.isAfter(current.getIssuedAt())) {
            now = current.getIssuedAt().plusMillis(1);
        }
        DeviceControl c = DeviceControl.newBuilder().setControlId(UUID.randomUUID().toString())
                .setTenant(Scopes.CERTIFICATE).setDeviceId(id).setAction(ControlAction.REVOKE).setQuarantined(false)
                .setRevoked(true)
                .setRevokedCertificateSerials(id.startsWith(Scopes.SERIAL_PREFIX)
                        ? List.of(id.substring(Scopes.SERIAL_PREFIX.length())) : List.of())
                .setReason(reason).setIssuedBy(p.name()).setIssuedAt(now).build();
        String key = Scopes.CERTIFICATE + "/" + id;
        publisher.publish(Topics.DEVICE_CONTROLS, key, Codecs.DEVICE_CONTROL.encode(c));
        store.applyControl(key, c);
        audit.append(AuditLog.certificateChain(id), Scopes.CERTIFICATE, "revoke", p.name(), reason);
        return view(id, c);
    }

    public synchronized Map<String, Object> unrevoke(Principal p, String id, String reason) {
        String canonical = id.startsWith(Scopes.SERIAL_PREFIX)
                ? certificateId(id.substring(Scopes.SERIAL_PREFIX.length()), null)
                : id.startsWith(Scopes.SHA256_PREFIX) ? certificateId(null, id.substring(Scopes.SHA256_PREFIX.length()))
                : null;
        if (canonical == null || store.certificate(canonical).isEmpty()) {
            throw ApiException.notFound("no revocation of certificate " + id);
        }
        String key = Scopes.CERTIFICATE + "/" + canonical;
        publisher.publish(Topics.DEVICE_CONTROLS, key, null);
        store.applyControl(key, null);
        audit.append(AuditLog.certificateChain(canonical), Scopes.CERTIFICATE, "unrevoke", p.name(), reason);
        return Map.of("certificate", canonical, "revoked", false);
    }

    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        store.certificates().forEach((id, c) -> out.add(view(id, c)));
        return out;
    }

    private static Map<String, Object> view(String id, DeviceControl c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("certificate", id);
        m.put("revoked", c.getRevoked());
        m.put("reason", c.getReason());
        m.put("issuedBy", c.getIssuedBy());
        m.put("issuedAt", c.getIssuedAt());
        return m;
    }
}
