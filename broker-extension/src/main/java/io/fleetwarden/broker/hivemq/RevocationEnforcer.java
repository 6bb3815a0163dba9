package io.fleetwarden.broker.hivemq;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.registry.DeviceRegistry;

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
     * Takes a registry change to the device's live sessions: a device that is no longer registered, is suspended or
     * decommissioned, or whose registration no longer lists the certificate it connected with (and names no issuing
     * CA, which is judged again at the next connect) is disconnected.
     *
     * @return sessions disconnected
     */
    public int onRegistryChange(DeviceRegistry registry, String key) {
        int n = 0;
        for (DeviceSession s : sessions.all()) {
            if (!s.identity().key().equals(key)) {
                continue;
            }
            var r = registry.get(s.identity().tenant(), s.identity().deviceId());
            String why = r.isEmpty() ? "device no longer registered"
                    : !r.get().state().admitted() ? "device " + r.get().state().name().toLowerCase(java.util.Locale.ROOT) + " in the registry"
                    : r.get().issuers().isEmpty() && !r.get().allowsCertificate(s.identity().fingerprint())
                            ? "certificate no longer registered for the device" : null;
            if (why != null && s.revoking().compareAndSet(false, true)) {
                LOG.info("disconnecting {}: {}", s.identity().key(), why);
                disconnector.disconnect(s.clientId(), why);
                n++;
            }
        }
        return n;
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
