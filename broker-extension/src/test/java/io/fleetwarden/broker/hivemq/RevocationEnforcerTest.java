package io.fleetwarden.broker.hivemq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;
import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/** Live sessions are disconnected once (and only once) when revoked by control record or CRL; takeover-safe registry. */
class RevocationEnforcerTest {

    final TestPki pki = TestPki.create("acme");
    final SessionRegistry sessions = new SessionRegistry();
    final ControlState controls = new ControlState();
    final List<String> disconnected = new ArrayList<>();

    DeviceSession session(String id, String token) {
        return session("acme", id, token);
    }

    DeviceSession session(String tenant, String id, String token) {
        TestCredential c = pki.deviceCertificate(tenant, id);
        DeviceIdentity identity = new DeviceIdentity(tenant, id, ConnectVerifier.serialHex(c.certificate()),
                ConnectVerifier.fingerprint(c.certificate()), c.certificate().getNotAfter().toInstant());
        DeviceSession s = new DeviceSession(token, DeviceIdentities.clientId(tenant, id), identity, c.certificate(),
                BrokerContext.newBuilder().setBrokerId("b").build(), new AtomicBoolean());
        sessions.put(s);
        return s;
    }

    @Test
    void revokeControlDisconnectsOnlyThatDeviceOnce() throws Exception {
        CrlStore crls = new CrlStore(null, List.of(pki.caCertificate()));
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, controls, crls, (id, why) -> disconnected.add(id));
        DeviceSession a = session("dev-a", "t1");
        session("dev-b", "t2");
        DeviceControl revoke = DeviceControl.newBuilder().setControlId("c").setTenant("acme").setDeviceId("dev-a")
                .setAction(ControlAction.REVOKE).setQuarantined(false).setRevoked(true).setIssuedBy("op")
                .setIssuedAt(Instant.EPOCH).build();
        enforcer.onControlChange(controls.apply("acme/dev-a", revoke));
        enforcer.onControlChange(controls.apply("acme/dev-a", revoke));
        assertThat(disconnected).containsExactly("acme/dev-a");
        assertThat(a.revoking()).isTrue();
    }

    @Test
    void revokingADeviceLeavesTheSameDeviceIdOfAnotherTenantConnected() {
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, controls, new CrlStore(null, List.of(pki.caCertificate())),
                (id, why) -> disconnected.add(id));
        DeviceSession globex = session("globex", "hx-dev-0030", "t1");
        DeviceSession initech = session("initech", "hx-dev-0030", "t2");
        DeviceControl revoke = DeviceControl.newBuilder().setControlId("c").setTenant("initech").setDeviceId("hx-dev-0030")
                .setAction(ControlAction.REVOKE).setQuarantined(false).setRevoked(true).setIssuedBy("op")
                .setIssuedAt(Instant.EPOCH).build();
        enforcer.onControlChange(controls.apply("initech/hx-dev-0030", revoke));
        assertThat(disconnected).containsExactly("initech/hx-dev-0030");
        assertThat(initech.revoking()).isTrue();
        assertThat(globex.revoking()).isFalse();
    }

    @Test
    void quarantineDisconnectsNobody() {
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, controls, new CrlStore(null, List.of()),
                (id, why) -> disconnected.add(id));
        session("dev-a", "t1");
        enforcer.onControlChange(new ControlState.Change("acme/dev-a", true, false));
        assertThat(disconnected).isEmpty();
    }

    @Test
    void crlChangeDisconnectsRevokedCertificates() throws Exception {
        Path dir = Files.createTempDirectory("crl");
        CrlStore crls = new CrlStore(dir, List.of(pki.caCertificate()));
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, controls, crls, (id, why) -> disconnected.add(id));
        DeviceSession a = session("dev-a", "t1");
        session("dev-b", "t2");
        pki.revoke(a.certificate());
        pki.writeCrl(dir);
        assertThat(crls.reloadIfChanged()).isTrue();
        assertThat(enforcer.sweep()).isEqualTo(1);
        assertThat(disconnected).containsExactly("acme/dev-a");
    }

    @Test
    void takenOverSessionIsNotRemovedByTheOldConnection() {
        DeviceSession older = session("dev-a", "old");
        DeviceSession newer = session("dev-a", "new");
        assertThat(sessions.get("acme/dev-a")).contains(newer);
        assertThat(sessions.byToken("acme/dev-a", "old")).contains(older);
        assertThat(sessions.remove("acme/dev-a", "old")).contains(older);
        assertThat(sessions.get("acme/dev-a")).contains(newer);
        assertThat(sessions.byToken("acme/dev-a", "old")).isEmpty();
        assertThat(sessions.remove("acme/dev-a", "new")).contains(newer);
        assertThat(sessions.get("acme/dev-a")).isEmpty();
    }
}
