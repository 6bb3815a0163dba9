package io.fleetwarden.broker.hivemq;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.identity.CrlStore;

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
