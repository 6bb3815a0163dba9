package io.fleetwarden.broker.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fleetwarden.broker.control.ControlState;
import io.fleetwarden.broker.hivemq.DeviceSession;
import io.fleetwarden.broker.hivemq.RevocationEnforcer;
import io.fleetwarden.broker.hivemq.SessionRegistry;
import io.fleetwarden.broker.identity.AuthDecision;
import io.fleetwarden.broker.identity.AuthDecision.Connack;
import io.fleetwarden.broker.identity.ConnectRequest;
import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.broker.identity.CrlStore;
import io.fleetwarden.broker.identity.DefaultCredentials;
import io.fleetwarden.broker.identity.IdentityRule;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.DeviceRegistration.Certificate;
import io.fleetwarden.model.DeviceRegistration.State;
import io.fleetwarden.model.EnrolmentCa;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/**
 * Just-in-time registration in {@link ConnectVerifier} with the {@link DeviceRegistry}: the admitted case with its
 * registration request, approval, every refusal (tenant mismatch, pattern, rate, conflict, a stolen certificate after
 * registration, suspended/decommissioned devices), a CA appended after the trust anchor, and live sessions judged again
 * when the registry changes.
 */
class JitRegistrationTest {

    static TestPki pki;
    static TestPki other;
    static String caFp;
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    DeviceRegistry registry;
    ConnectVerifier verifier;

    @BeforeAll
    static void pki() {
        pki = TestPki.create("acme");
        other = pki.foreign();
        caFp = ConnectVerifier.fingerprint(pki.caCertificate());
    }

    @BeforeEach
    void setUp() throws Exception {
        registry = new DeviceRegistry(60, 2, nanos::get);
        verifier = new ConnectVerifier(List.of(pki.caCertificate(), other.caCertificate()),
                new CrlStore(Files.createTempDirectory("crl"), List.of(pki.caCertificate())),
                (tenant, id, serial) -> false, DefaultCredentials.shipped(), new IdentityRule("default"),
                Set.of("TLSv1.3", "TLSv1.2"), true, Clock.systemUTC(), registry);
    }

    private void enrolmentCa(String tenant, String fingerprint, boolean approval, String pattern) {
        EnrolmentCa ca = new EnrolmentCa(tenant, fingerprint, null,
                new EnrolmentCa.Template("cam-x1", "eu-west", State.ACTIVE, approval, pattern), Instant.now(), "admin");
        registry.apply(ca.key(), ca.toJson());
    }

    private void register(String tenant, String deviceId, State state, TestCredential cred) {
        DeviceRegistration r = new DeviceRegistration(tenant, deviceId, "cam-x1", "eu-west", state,
                List.of(new Certificate(ConnectVerifier.fingerprint(cred.certificate()), null)), List.of(), Instant.now(),
                "dashboard", DeviceRegistration.SOURCE_JIT);
        registry.apply(r.key(), r.toJson());
    }

    private AuthDecision connect(String tenant, String deviceId, List<java.security.cert.X509Certificate> chain) {
        return verifier.verify(new ConnectRequest(DeviceIdentities.clientId(tenant, deviceId), null, null, chain,
                "TLSv1.3", "TLS_AES_128_GCM_SHA256"));
    }

    private AuthDecision connect(String tenant, String deviceId, TestCredential cred) {
        return connect(tenant, deviceId, cred.chain());
    }

    private static AuthDecision.Refused refused(AuthDecision d, Connack connack, String reason) {
        assertThat(d).isInstanceOf(AuthDecision.Refused.class);
        AuthDecision.Refused r = (AuthDecision.Refused) d;
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.connack()).isEqualTo(connack);
        assertThat(r.identity()).as("the verified identity is attributed").isNotNull();
        return r;
    }

    @Test
    void anUnregisteredDeviceOfAnEnrolmentCaIsAdmittedByTheTemplateAndAsksToBeRegistered() {
        enrolmentCa("acme", caFp, false, "cam-*");
        TestCredential dev = pki.deviceCertificate("acme", "cam-1");
        AuthDecision d = connect("acme", "cam-1", dev);
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Accepted.class, a -> {
            assertThat(a.registration().model()).isEqualTo("cam-x1");
            assertThat(a.registration().region()).isEqualTo("eu-west");
            assertThat(a.registration().source()).isEqualTo(DeviceRegistration.SOURCE_JIT);
            assertThat(a.registration().allowsCertificate(ConnectVerifier.fingerprint(dev.certificate()))).isTrue();
            assertThat(a.attributes()).containsEntry(SecurityEventReasons.ATTR_JIT, SecurityEventReasons.JIT_REQUESTED)
                    .containsEntry(SecurityEventReasons.ATTR_ENROLMENT_CA, caFp)
                    .containsEntry(SecurityEventReasons.ATTR_CERTIFICATE_NOT_AFTER,
                            dev.certificate().getNotAfter().toInstant().toString());
            assertThat(a.issuers()).contains(caFp);
        });
        // without an enrolment CA the same device is simply not registered
        registry.apply(EnrolmentCa.keyOf(caFp), null);
        refused(connect("acme", "cam-2", pki.deviceCertificate("acme", "cam-2")), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.DEVICE_NOT_REGISTERED);
    }

    @Test
    void onceRegisteredTheRegistrationDecidesAndTheFingerprintIsPinned() {
        enrolmentCa("acme", caFp, false, null);
        TestCredential dev = pki.deviceCertificate("acme", "cam-3");
        assertThat(connect("acme", "cam-3", dev)).isInstanceOf(AuthDecision.Accepted.class);
        register("acme", "cam-3", State.ACTIVE, dev);
        assertThat(connect("acme", "cam-3", dev)).isInstanceOfSatisfying(AuthDecision.Accepted.class,
                a -> assertThat(a.attributes()).as("no second registration request").isEmpty());
        // a stolen or second certificate of the enrolment CA for the same id does not take it over
        refused(connect("acme", "cam-3", pki.deviceCertificate("acme", "cam-3")), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.CERTIFICATE_NOT_REGISTERED);
    }

    @Test
    void suspendedDecommissionedAndPendingDevicesNeverReRegisterByJit() {
        enrolmentCa("acme", caFp, false, null);
        TestCredential dev = pki.deviceCertificate("acme", "cam-4");
        register("acme", "cam-4", State.SUSPENDED, dev);
        assertThat(refused(connect("acme", "cam-4", dev), Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_SUSPENDED)
                .attributes()).isEmpty();
        register("acme", "cam-4", State.DECOMMISSIONED, dev);
        assertThat(refused(connect("acme", "cam-4", dev), Connack.BANNED, SecurityEventReasons.DEVICE_DECOMMISSIONED)
                .attributes()).isEmpty();
        TestCredential fresh = pki.deviceCertificate("acme", "cam-4");
        refused(connect("acme", "cam-4", fresh), Connack.BANNED, SecurityEventReasons.DEVICE_DECOMMISSIONED);
    }

    @Test
    void aTemplateRequiringApprovalRefusesUntilApproved() {
        enrolmentCa("acme", caFp, true, null);
        TestCredential dev = pki.deviceCertificate("acme", "cam-5");
        AuthDecision.Refused r = refused(connect("acme", "cam-5", dev), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.REGISTRATION_PENDING_APPROVAL);
        assertThat(r.attributes()).containsEntry(SecurityEventReasons.ATTR_JIT, SecurityEventReasons.JIT_REQUESTED);
        register("acme", "cam-5", State.PENDING, dev);
        assertThat(refused(connect("acme", "cam-5", dev), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.REGISTRATION_PENDING_APPROVAL).attributes()).as("asked once, now it waits").isEmpty();
        register("acme", "cam-5", State.ACTIVE, dev);
        assertThat(connect("acme", "cam-5", dev)).isInstanceOf(AuthDecision.Accepted.class);
    }

    @Test
    void aCertificateOfAnotherTenantChainingToTheEnrolmentCaIsRefused() {
        enrolmentCa("acme", caFp, false, null);
        TestCredential globex = pki.deviceCertificate("globex", "cam-6");
        AuthDecision.Refused r = refused(connect("globex", "cam-6", globex), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.JIT_TENANT_MISMATCH);
        assertThat(r.attributes()).isEmpty();
        assertThat(r.detail()).doesNotContain("acme");
        assertThat(registry.get("globex", "cam-6")).isEmpty();
    }

    @Test
    void aDeviceIdOutsideThePatternIsRefused() {
        enrolmentCa("acme", caFp, false, "cam-??");
        refused(connect("acme", "thermo-1", pki.deviceCertificate("acme", "thermo-1")), Connack.NOT_AUTHORIZED,
                SecurityEventReasons.JIT_DEVICE_ID_NOT_ALLOWED);
        assertThat(connect("acme", "cam-07", pki.deviceCertificate("acme", "cam-07"))).isInstanceOf(AuthDecision.Accepted.class);
    }

    @Test
    void jitAdmissionsAreRateLimitedPerTenantAndAReconnectWhileHeldSpendsNothing() {
        enrolmentCa("acme", caFp, false, null);
        enrolmentCa("initech", ConnectVerifier.fingerprint(other.caCertificate()), false, null);
        TestCredential a = pki.deviceCertificate("acme", "r-1");
        assertThat(connect("acme", "r-1", a)).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(connect("acme", "r-2", pki.deviceCertificate("acme", "r-2"))).isInstanceOf(AuthDecision.Accepted.class);
        refused(connect("acme", "r-3", pki.deviceCertificate("acme", "r-3")), Connack.CONNECTION_RATE_EXCEEDED,
                SecurityEventReasons.JIT_RATE_LIMITED);
        assertThat(connect("acme", "r-1", a)).as("the same certificate reconnecting while its registration is written")
                .isInstanceOf(AuthDecision.Accepted.class);
        assertThat(connect("initech", "r-1", other.deviceCertificate("initech", "r-1")))
                .as("another tenant has its own budget").isInstanceOf(AuthDecision.Accepted.class);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1)); // one registration per second refills
        assertThat(connect("acme", "r-3", pki.deviceCertificate("acme", "r-3"))).isInstanceOf(AuthDecision.Accepted.class);
    }

    @Test
    void twoCertificatesRacingForOneIdTheFirstWins() {
        enrolmentCa("acme", caFp, false, null);
        TestCredential first = pki.deviceCertificate("acme", "race-1");
        TestCredential second = pki.deviceCertificate("acme", "race-1");
        assertThat(connect("acme", "race-1", first)).isInstanceOf(AuthDecision.Accepted.class);
        refused(connect("acme", "race-1", second), Connack.NOT_AUTHORIZED, SecurityEventReasons.JIT_CONFLICT);
        nanos.addAndGet(DeviceRegistry.JIT_HOLD.toNanos() + 1);
        assertThat(connect("acme", "race-1", second)).as("the hold ends when no registration was written")
                .isInstanceOf(AuthDecision.Accepted.class);
    }

    @Test
    void aCaAppendedAfterTheTrustAnchorIsNotAnIssuerOrEnrolmentCa() {
        // the other CA is trusted too, but it did not sign this leaf: appending its public certificate proves nothing
        enrolmentCa("acme", ConnectVerifier.fingerprint(other.caCertificate()), false, null);
        TestCredential dev = pki.deviceCertificate("acme", "app-1");
        refused(connect("acme", "app-1", List.of(dev.certificate(), pki.caCertificate(), other.caCertificate())),
                Connack.NOT_AUTHORIZED, SecurityEventReasons.DEVICE_NOT_REGISTERED);
    }

    @Test
    void aRegistryChangeJudgesSessionsAdmittedThroughAnIssuingCaOrJitAgain() {
        SessionRegistry sessions = new SessionRegistry();
        List<String> disconnected = new ArrayList<>();
        RevocationEnforcer enforcer = new RevocationEnforcer(sessions, new ControlState(),
                new CrlStore(null, List.of(pki.caCertificate())), (id, why) -> disconnected.add(id + ": " + why));
        // admitted through its registered issuing CA
        TestCredential viaCa = pki.deviceCertificate("acme", "iss-1");
        DeviceRegistration byIssuer = new DeviceRegistration("acme", "iss-1", "m", null, State.ACTIVE, List.of(),
                List.of(caFp), Instant.now(), "admin");
        registry.apply(byIssuer.key(), byIssuer.toJson());
        sessions.put(session(connect("acme", "iss-1", viaCa), "t1"));
        // admitted just in time
        enrolmentCa("acme", caFp, false, null);
        TestCredential jit = pki.deviceCertificate("acme", "jit-1");
        sessions.put(session(connect("acme", "jit-1", jit), "t2"));
        assertThat(enforcer.onRegistryChange(registry, byIssuer.key())).isZero();

        DeviceRegistration otherIssuer = new DeviceRegistration("acme", "iss-1", "m", null, State.ACTIVE, List.of(),
                List.of("0".repeat(64)), Instant.now(), "admin");
        registry.apply(otherIssuer.key(), otherIssuer.toJson());
        assertThat(enforcer.onRegistryChange(registry, otherIssuer.key())).isEqualTo(1);
        assertThat(disconnected).containsExactly("acme/iss-1: certificate no longer registered for the device");

        // the enrolment CA's template stops admitting the id before the registration was written
        enrolmentCa("acme", caFp, true, null);
        assertThat(enforcer.onRegistryChange(registry, EnrolmentCa.keyOf(caFp))).isEqualTo(1);
        assertThat(disconnected).last().asString().startsWith("acme/jit-1: ");
    }

    private static DeviceSession session(AuthDecision d, String token) {
        AuthDecision.Accepted a = (AuthDecision.Accepted) d;
        return new DeviceSession(token, DeviceIdentities.clientId(a.identity().tenant(), a.identity().deviceId()),
                a.identity(), null, BrokerContext.newBuilder().setBrokerId("b").build(), new AtomicBoolean(),
                a.issuers(), a.attributes());
    }
}
