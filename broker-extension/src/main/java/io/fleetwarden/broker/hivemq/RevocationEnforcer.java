package io.fleetwarden.broker.hivemq;

import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.registry.DeviceRegistry;
import io.fleetwarden.model.EnrolmentCa;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * Takes revocation to live sessions: when a revoke control arrives or the CRLs change, every live
 * session whose device or certificate is now revoked is disconnected (MQTT 5: NOT_AUTHORIZED with a
 * reason string) and its disconnect is recorded as {@code disconnected-revoked}. Later connects are
 * refused by the authenticator. Thread-safe.
 */
public final class RevocationEnforcer {

    private static final Logger LOG = LoggerFactory.getLogger(RevocationEnforcer.class);

    /** Disconnects a client; backed by HiveMQ's ClientService in production. */
    @FunctionalInterface
    public interface Disconnector {
        void disconnect(String clientId, String reasonString);
    }

    private final SessionRegistry sessions;
    private final ControlState controls;
    private final CrlStore crls;
    private final Disconnector disconnector;

    public RevocationEnforcer(SessionRegistry sessions, ControlState controls, CrlStore crls, Disconnector disconnector) {
        this.sessions = sessions;
        this.controls = controls;
        this.crls = crls;
        this.disconnector = disconnector;
    }

    /** Applies a control change: disconnects the device's live sessions if it is now revoked. */
    public void onControlChange(ControlState.Change change) {
        if (change.revokedNow()) {
            sweep();
        }
    }

    /**
     * Takes a registry change to the live sessions it concerns. A device change ({@code key} = device key): a device
     * that is no longer registered, is suspended, decommissioned or pending, or whose registration admits neither the
     * certificate it connected with nor an issuing CA of that certificate's verified path, is disconnected; so is a
     * session admitted through an issuing CA once that CA is dropped from the registration. An enrolment CA change
     * ({@code key} = {@code enrolment-ca:<fingerprint>}): a session admitted just in time through that CA whose
     * registration has not been written yet is disconnected when the CA no longer enrols (removed, or moved to another
     * tenant) or its template no longer admits the device.
     *
     * @return sessions disconnected
     */
    public int onRegistryChange(DeviceRegistry registry, String key) {
        if (EnrolmentCa.isKey(key)) {
            return onEnrolmentCaChange(registry, key.substring(EnrolmentCa.KEY_PREFIX.length()));
        }
        int n = 0;
        for (DeviceSession s : sessions.all()) {
            if (!s.identity().key().equals(key)) {
                continue;
            }
            var r = registry.get(s.identity().tenant(), s.identity().deviceId());
            String why = r.isEmpty() ? "device no longer registered"
                    : !r.get().state().admitted() ? "device " + r.get().state().name().toLowerCase(Locale.ROOT) + " in the registry"
                    : !r.get().allowsCertificate(s.identity().fingerprint()) && !r.get().allowsIssuerOf(s.issuers())
                            ? "certificate no longer registered for the device" : null;
            n += disconnect(s, why);
        }
        return n;
    }

    private int onEnrolmentCaChange(DeviceRegistry registry, String caFingerprint) {
        int n = 0;
        for (DeviceSession s : sessions.all()) {
            if (!caFingerprint.equals(s.connectAttributes().get(SecurityEventReasons.ATTR_ENROLMENT_CA))
                    || registry.get(s.identity().tenant(), s.identity().deviceId()).isPresent()) {
                continue; // not admitted through this CA, or registered since (the registration decides)
            }
            var ca = registry.enrolmentCa(caFingerprint);
            String why = ca.isEmpty() || !ca.get().tenant().equals(s.identity().tenant())
                    ? "enrolment CA no longer enrols the device"
                    : ca.get().template().approvalRequired() || !ca.get().template().allows(s.identity().deviceId())
                            ? "enrolment CA's template no longer admits the device" : null;
            n += disconnect(s, why);
        }
        return n;
    }

    private int disconnect(DeviceSession s, String why) {
        if (why != null && s.revoking().compareAndSet(false, true)) {
            LOG.info("disconnecting {}: {}", s.identity().key(), why);
            disconnector.disconnect(s.clientId(), why);
            return 1;
        }
        return 0;
    }

    /** Checks every live session against the CRLs and the control state. @return sessions disconnected */
    public int sweep() {
        int n = 0;
        for (DeviceSession s : sessions.all()) {
            boolean byCrl = crls.isRevoked(s.certificate());
            boolean byControl = controls.isRevoked(s.identity());
            if ((byCrl || byControl) && s.revoking().compareAndSet(false, true)) {
                String why = byCrl ? "certificate revoked by its CA's CRL" : "device revoked by an operator";
                LOG.info("disconnecting {}: {}", s.identity().key(), why);
                disconnector.disconnect(s.clientId(), why);
                n++;
            }
        }
        return n;
    }
}
