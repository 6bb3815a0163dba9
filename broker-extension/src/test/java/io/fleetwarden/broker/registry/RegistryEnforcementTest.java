package io.fleetwarden.broker.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fleetwarden.broker.identity.AuthDecision;
import io.fleetwarden.broker.identity.AuthDecision.Connack;
import io.fleetwarden.broker.identity.ConnectRequest;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.identity.DefaultCredentials;
import io.fleetwarden.broker.identity.IdentityRule;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.DeviceRegistration.Certificate;
import io.fleetwarden.model.DeviceRegistration.State;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/** Every branch of registry enforcement in {@link ConnectVerifier}: admitted cases and each refusal. */
class RegistryEnforcementTest {

    static TestPki pki;
    DeviceRegistry registry;
    ConnectVerifier verifier;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("acme");
    }

    @BeforeEach
    void setUp() throws Exception {
        registry = new DeviceRegistry();
        verifier = new ConnectVerifier(List.of(pki.caCertificate()),
                new CrlStore(Files.createTempDirectory("crl"), List.of(pki.caCertificate())),
                (tenant, id, serial) -> false, DefaultCredentials.shipped(), new IdentityRule("default"),
                Set.of("TLSv1.3", "TLSv1.2"), true, Clock.systemUTC(), registry);
    }

    private void register(String deviceId, State state, List<String> fingerprints, List<String> issuers) {
        DeviceRegistration r = new DeviceRegistration("acme", deviceId, "cam-x1", "eu-west", state,
                fingerprints.stream().map(f -> new Certificate(f, null)).toList(), issuers, Instant.now(), "test");
        registry.apply(r.key(), r.toJson());
    }

    private AuthDecision connect(String deviceId, TestCredential cred) {
        return verifier.verify(new ConnectRequest("acme/" + deviceId, null, null, cred.chain(), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256"));
    }

    private static void refusedWith(AuthDecision d, Connack connack, String reason) {
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(reason);
            assertThat(r.connack()).isEqualTo(connack);
            assertThat(r.eventType()).isEqualTo(SecurityEventType.AUTHENTICATION_FAILURE);
            assertThat(r.identity()).as("the verified identity is attributed").isNotNull();
            assertThat(r.identity().key()).isEqualTo("acme/" + r.identity().deviceId());
        });
    }

    @Test
    void aRegisteredDeviceWithItsCertificateIsAdmittedWithItsRegistration() {
        TestCredential dev = pki.deviceCertificate("acme", "cam-1");
        register("cam-1", State.ENROLLED, List.of(ConnectVerifier.fingerprint(dev.certificate())), List.of());
        assertThat(connect("cam-1", dev)).isInstanceOfSatisfying(AuthDecision.Accepted.class, a -> {
            assertThat(a.registration()).isNotNull();
            assertThat(a.registration().model()).isEqualTo("cam-x1");
            assertThat(a.registration().region()).isEqualTo("eu-west");
        });
    }

    @Test
    void anUnregisteredDeviceIsRefused() {
        refusedWith(connect("cam-2", pki.deviceCertificate("acme", "cam-2")), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.DEVICE_NOT_REGISTERED);
    }

    @Test
    void suspendedAndDecommissionedDevicesAreRefused() {
        TestCredential dev = pki.deviceCertificate("acme", "cam-3");
        String fp = ConnectVerifier.fingerprint(dev.certificate());
        register("cam-3", State.SUSPENDED, List.of(fp), List.of());
        refusedWith(connect("cam-3", dev), Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_SUSPENDED);
        register("cam-3", State.DECOMMISSIONED, List.of(fp), List.of());
        refusedWith(connect("cam-3", dev), Connack.BANNED, SecurityEventReasons.DEVICE_DECOMMISSIONED);
        register("cam-3", State.ACTIVE, List.of(fp), List.of());
        assertThat(connect("cam-3", dev)).isInstanceOf(AuthDecision.Accepted.class);
    }

    @Test
    void aValidFleetCertificateNotRegisteredForTheDeviceIsRefused() {
        TestCredential registered = pki.deviceCertificate("acme", "cam-4");
        TestCredential other = pki.deviceCertificate("acme", "cam-4"); // same identity, another key: a clone
        register("cam-4", State.ACTIVE, List.of(ConnectVerifier.fingerprint(registered.certificate())), List.of());
        refusedWith(connect("cam-4", other), Connack.NOT_AUTHORIZED, SecurityEventReasons.CERTIFICATE_NOT_REGISTERED);
    }

    @Test
    void duringARolloverBothCertificatesAreAdmittedAndAfterItOnlyTheNewOne() {
        TestCredential old = pki.deviceCertificate("acme", "cam-5");
        TestCredential renewed = pki.deviceCertificate("acme", "cam-5");
        String fpOld = ConnectVerifier.fingerprint(old.certificate());
        String fpNew = ConnectVerifier.fingerprint(renewed.certificate());
        register("cam-5", State.ACTIVE, List.of(fpOld, fpNew), List.of());
        assertThat(connect("cam-5", old)).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(connect("cam-5", renewed)).isInstanceOf(AuthDecision.Accepted.class);
        register("cam-5", State.ACTIVE, List.of(fpNew), List.of());
        refusedWith(connect("cam-5", old), Connack.NOT_AUTHORIZED, SecurityEventReasons.CERTIFICATE_NOT_REGISTERED);
        assertThat(connect("cam-5", renewed)).isInstanceOf(AuthDecision.Accepted.class);
    }

    @Test
    void aRegisteredIssuingCaAdmitsAnyCertificateItIssuedEvenWhenTheClientSendsOnlyTheLeaf() {
        TestCredential dev = pki.deviceCertificate("acme", "cam-6");
        register("cam-6", State.ACTIVE, List.of(), List.of(ConnectVerifier.fingerprint(pki.caCertificate())));
        assertThat(verifier.verify(new ConnectRequest("acme/cam-6", null, null, List.of(dev.certificate()), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256"))).isInstanceOf(AuthDecision.Accepted.class);
        register("cam-6", State.ACTIVE, List.of(), List.of("0".repeat(64)));
        refusedWith(connect("cam-6", dev), Connack.NOT_AUTHORIZED, SecurityEventReasons.CERTIFICATE_NOT_REGISTERED);
    }

    @Test
    void aTombstoneUnregistersAndHostileRecordsAreRefused() {
        TestCredential dev = pki.deviceCertificate("acme", "cam-7");
        register("cam-7", State.ACTIVE, List.of(ConnectVerifier.fingerprint(dev.certificate())), List.of());
        registry.apply("acme/cam-7", null);
        refusedWith(connect("cam-7", dev), Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_NOT_REGISTERED);
        // a record under another device's key never registers that device
        DeviceRegistration r = new DeviceRegistration("acme", "cam-8", "m", null, State.ACTIVE,
                List.of(new Certificate("a".repeat(64), null)), List.of(), Instant.now(), null);
        assertThatThrownBy(() -> registry.apply("acme/cam-7", r.toJson())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.apply("acme/cam-7", "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.apply("no-slash", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.get("acme", "cam-7")).isEmpty();
    }

    @Test
    void withoutARegistryEveryVerifiedDeviceIsAdmittedAsBefore() throws Exception {
        ConnectVerifier off = new ConnectVerifier(List.of(pki.caCertificate()),
                new CrlStore(Files.createTempDirectory("crl"), List.of(pki.caCertificate())), (t, i, s) -> false,
                DefaultCredentials.shipped(), new IdentityRule("default"), Set.of("TLSv1.3"), true, Clock.systemUTC());
        assertThat(off.verify(new ConnectRequest("acme/cam-9", null, null, pki.deviceCertificate("acme", "cam-9").chain(),
                "TLSv1.3", "TLS_AES_128_GCM_SHA256"))).isInstanceOfSatisfying(AuthDecision.Accepted.class,
                a -> assertThat(a.registration()).isNull());
    }
}
