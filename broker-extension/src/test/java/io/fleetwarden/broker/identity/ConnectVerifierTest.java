package io.fleetwarden.broker.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fleetwarden.broker.identity.AuthDecision.Connack;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;

/** Every branch of {@link ConnectVerifier}: one accepted case and each refusal. */
class ConnectVerifierTest {

    static TestPki pki;
    static Path crlDir;
    static CrlStore crls;
    static final Set<String> revokedByControl = ConcurrentHashMap.newKeySet();
    static ConnectVerifier verifier;

    @BeforeAll
    static void setUp() throws Exception {
        pki = TestPki.create("acme");
        crlDir = Files.createTempDirectory("crl");
        crls = new CrlStore(crlDir, List.of(pki.caCertificate()));
        verifier = new ConnectVerifier(List.of(pki.caCertificate()), crls,
                (tenant, id, serial) -> revokedByControl.contains(tenant + "/" + id), DefaultCredentials.shipped(),
                new IdentityRule("default"), Set.of("TLSv1.3", "TLSv1.2"), true, Clock.systemUTC());
    }

    private static ConnectRequest request(String clientId, TestCredential cred) {
        return new ConnectRequest(clientId, null, null, cred == null ? List.of() : cred.chain(), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256");
    }

    private static AuthDecision.Refused refused(ConnectRequest req) {
        AuthDecision d = verifier.verify(req);
        assertThat(d).isInstanceOf(AuthDecision.Refused.class);
        return (AuthDecision.Refused) d;
    }

    @Test
    void goodCertificateWithMatchingClientIdIsAccepted() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-1");
        AuthDecision d = verifier.verify(request("acme/dev-1", dev));
        assertThat(d).isInstanceOfSatisfying(AuthDecision.Accepted.class, a -> {
            assertThat(a.identity().tenant()).isEqualTo("acme");
            assertThat(a.identity().deviceId()).isEqualTo("dev-1");
            assertThat(a.identity().serialHex()).isEqualTo(dev.certificate().getSerialNumber().toString(16));
            assertThat(a.identity().fingerprint()).hasSize(64);
            assertThat(a.identity().key()).isEqualTo("acme/dev-1");
        });
    }

    @Test
    void anyPasswordIsRefused() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-1");
        AuthDecision.Refused r = refused(new ConnectRequest("acme/dev-1", "dev-1", "long-random-secret", dev.chain(), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256"));
        assertThat(r.eventType()).isEqualTo(SecurityEventType.AUTHENTICATION_FAILURE);
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.PASSWORD_NOT_ALLOWED);
        assertThat(r.connack()).isEqualTo(Connack.BAD_USER_NAME_OR_PASSWORD);
        assertThat(r.detail()).doesNotContain("long-random-secret");
    }

    @Test
    void usernameWithoutPasswordIsRefused() {
        assertThat(refused(new ConnectRequest("x", "someone", null, List.of(), "TLSv1.3", "TLS_AES_128_GCM_SHA256")).reason())
                .isEqualTo(SecurityEventReasons.PASSWORD_NOT_ALLOWED);
    }

    @ParameterizedTest
    @CsvSource({"root,xc3511", "admin,admin", "root,''", "pi,raspberry"})
    void factoryDefaultsAreADistinctEvent(String user, String password) {
        AuthDecision.Refused r = refused(new ConnectRequest("bot", user, password, List.of(), "TLSv1.2",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertThat(r.eventType()).isEqualTo(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT);
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.DEFAULT_CREDENTIALS);
    }

    @Test
    void oldTlsProtocolIsRefused() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-1");
        AuthDecision.Refused r = refused(new ConnectRequest("dev-1", null, null, dev.chain(), "TLSv1.1",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED);
        assertThat(refused(new ConnectRequest("dev-1", null, null, dev.chain(), null, null)).reason())
                .isEqualTo(SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED);
    }

    @Test
    void nonAeadCipherIsRefused() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-1");
        assertThat(refused(new ConnectRequest("dev-1", null, null, dev.chain(), "TLSv1.2",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")).reason()).isEqualTo(SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED);
    }

    @ParameterizedTest
    @CsvSource({"TLS_AES_128_GCM_SHA256,true", "TLS_CHACHA20_POLY1305_SHA256,true", "TLS_AES_128_CCM_8_SHA256,false",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,true", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,true",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CCM,true", "TLS_RSA_WITH_AES_128_CBC_SHA,false", "TLS_RSA_WITH_AES_128_CCM_8,false"})
    void aeadClassification(String cipher, boolean aead) {
        assertThat(ConnectVerifier.isAead(cipher)).isEqualTo(aead);
    }

    @Test
    void missingCertificateIsRefused() {
        AuthDecision.Refused r = refused(request("dev-1", null));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.NO_CLIENT_CERTIFICATE);
        assertThat(r.connack()).isEqualTo(Connack.NOT_AUTHORIZED);
        assertThat(r.identity()).isNull();
    }

    @Test
    void aValidatedChainIsRememberedButEveryOtherCheckStillRuns() {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return now.get();
            }
        };
        Set<String> revoked = ConcurrentHashMap.newKeySet();
        ConnectVerifier v = new ConnectVerifier(List.of(pki.caCertificate()), crls,
                (tenant, id, serial) -> revoked.contains(id), DefaultCredentials.shipped(),
                new IdentityRule("default"), Set.of("TLSv1.3"), true, clock);
        TestCredential dev = pki.deviceCertificate("acme", "dev-remembered");
        assertThat(v.verify(request("acme/dev-remembered", dev))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(v.verify(request("acme/dev-remembered", dev))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(v.pkixValidations()).as("second connect answered from the remembered chain").isEqualTo(1);

        assertThat(((AuthDecision.Refused) v.verify(request("acme/someone-else", dev))).reason())
                .isEqualTo(SecurityEventReasons.CLIENT_ID_MISMATCH);
        revoked.add("dev-remembered");
        assertThat(((AuthDecision.Refused) v.verify(request("acme/dev-remembered", dev))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
        // a certificate from another CA is a different chain: never answered from the remembered one
        assertThat(((AuthDecision.Refused) v.verify(request("acme/dev-remembered", pki.foreignDeviceCertificate("dev-remembered"))))
                .reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_UNTRUSTED);
        revoked.clear();
        now.set(dev.certificate().getNotAfter().toInstant().plusSeconds(1));
        assertThat(((AuthDecision.Refused) v.verify(request("acme/dev-remembered", dev))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_EXPIRED);
    }

    @Test
    void whatACertificateSaysIsRememberedPerCertificateNeverPerName() {
        Set<String> revokedSerials = ConcurrentHashMap.newKeySet();
        ConnectVerifier v = new ConnectVerifier(List.of(pki.caCertificate()), crls,
                (tenant, id, serial) -> revokedSerials.contains(serial), DefaultCredentials.shipped(),
                new IdentityRule("default"), Set.of("TLSv1.3"), true, Clock.systemUTC());
        TestCredential first = pki.deviceCertificate("acme", "dev-facts");
        assertThat(v.verify(request("acme/dev-facts", first))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(v.verify(request("acme/dev-facts", first))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(v.certificateParses()).as("a reconnect with the same certificate is not parsed again").isEqualTo(1);

        // re-issued: the same names, another serial and key; its own facts, never the first certificate's
        TestCredential second = pki.deviceCertificate("acme", "dev-facts");
        assertThat(v.verify(request("acme/dev-facts", second))).isInstanceOfSatisfying(AuthDecision.Accepted.class, a -> {
            assertThat(a.identity().serialHex()).isEqualTo(ConnectVerifier.serialHex(second.certificate()));
            assertThat(a.identity().fingerprint()).isEqualTo(ConnectVerifier.fingerprint(second.certificate()))
                    .isNotEqualTo(ConnectVerifier.fingerprint(first.certificate()));
        });
        assertThat(v.certificateParses()).isEqualTo(2);

        // remembered facts never skip revocation or the client id
        revokedSerials.add(ConnectVerifier.serialHex(first.certificate()));
        assertThat(((AuthDecision.Refused) v.verify(request("acme/dev-facts", first))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
        assertThat(v.verify(request("acme/dev-facts", second))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(((AuthDecision.Refused) v.verify(request("acme/dev-other", second))).reason())
                .isEqualTo(SecurityEventReasons.CLIENT_ID_MISMATCH);
        // a certificate that does not chain is refused before anything is remembered about it
        assertThat(((AuthDecision.Refused) v.verify(request("acme/dev-facts", pki.foreignDeviceCertificate("dev-facts"))))
                .reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_UNTRUSTED);
        assertThat(v.certificateParses()).isEqualTo(2);
    }

    @Test
    void expiredIsRefused() {
        assertThat(refused(request("dev-x", pki.expiredDeviceCertificate("dev-x"))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_EXPIRED);
    }

    @Test
    void notYetValidIsRefused() {
        assertThat(refused(request("dev-x", pki.notYetValidDeviceCertificate("dev-x"))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_NOT_YET_VALID);
    }

    @Test
    void foreignCaIsRefused() {
        AuthDecision.Refused r = refused(request("dev-x", pki.foreignDeviceCertificate("dev-x")));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_UNTRUSTED);
        assertThat(r.identity()).isNull();
    }

    @Test
    void selfSignedLeafAloneIsRefused() {
        X509Certificate foreignCa = pki.foreign().caCertificate();
        assertThat(refused(new ConnectRequest("x", null, null, List.of(foreignCa), "TLSv1.3", "TLS_AES_128_GCM_SHA256"))
                .reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_UNTRUSTED);
    }

    @Test
    void wrongKeyUsageIsRefused() {
        assertThat(refused(request("dev-x", pki.wrongUsageDeviceCertificate("dev-x"))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_KEY_USAGE);
    }

    @Test
    void twoDeviceUrnsMakeTheIdentityUnreadable() {
        TestCredential dev = pki.device("dev-x").tenant("acme")
                .subjectAlternativeName(new GeneralName(GeneralName.uniformResourceIdentifier, "urn:device:other:dev-y"))
                .issue();
        assertThat(refused(request("dev-x", dev)).reason()).isEqualTo(SecurityEventReasons.IDENTITY_UNREADABLE);
    }

    @Test
    void crlRevocationIsRefusedWithBanned() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-crl");
        assertThat(verifier.verify(request("acme/dev-crl", dev))).isInstanceOf(AuthDecision.Accepted.class);
        pki.revoke(dev);
        pki.writeCrl(crlDir);
        assertThat(crls.reloadIfChanged()).isTrue();
        AuthDecision.Refused r = refused(request("acme/dev-crl", dev));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
        assertThat(r.connack()).isEqualTo(Connack.BANNED);
        assertThat(r.identity().deviceId()).isEqualTo("dev-crl");
        assertThat(crls.reloadIfChanged()).as("unchanged folder is not reloaded").isFalse();
    }

    @Test
    void controlTopicRevocationIsRefused() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-ctl");
        revokedByControl.add("acme/dev-ctl");
        assertThat(refused(request("acme/dev-ctl", dev)).reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
    }

    @Test
    void clientIdMismatchIsRefusedWith0x85() {
        AuthDecision.Refused r = refused(request("acme/dev-2", pki.deviceCertificate("acme", "dev-1")));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.CLIENT_ID_MISMATCH);
        assertThat(r.connack()).isEqualTo(Connack.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(r.detail()).contains("acme/dev-1");
        assertThat(r.identity().deviceId()).isEqualTo("dev-1");
    }

    /**
     * Operator controls as the dashboard publishes them, applied to the real {@link
     * io.fleetwarden.broker.control.ControlState}, refuse the FIRST connect of a device never seen
     * before, and a certificate named only by serial or only by SHA-256 fingerprint; a tombstone
     * (explicit un-revoke) admits it again.
     */
    @Test
    void controlsForUnseenIdentitiesSerialsAndFingerprintsApplyAtFirstConnect() {
        io.fleetwarden.broker.control.ControlState controls = new io.fleetwarden.broker.control.ControlState();
        ConnectVerifier v = new ConnectVerifier(List.of(pki.caCertificate()), crls, controls,
                DefaultCredentials.shipped(), new IdentityRule("default"), Set.of("TLSv1.3"), true, Clock.systemUTC());
        TestCredential preProvisioned = pki.deviceCertificate("acme", "never-seen-1");
        controls.apply("acme/never-seen-1", control("acme", "never-seen-1", java.util.List.of()));
        assertThat(((AuthDecision.Refused) v.verify(request("acme/never-seen-1", preProvisioned))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);

        TestCredential leaked = pki.deviceCertificate("acme", "never-seen-2");
        assertThat(v.verify(request("acme/never-seen-2", leaked))).isInstanceOf(AuthDecision.Accepted.class);
        String serial = "000" + leaked.certificate().getSerialNumber().toString(16).toUpperCase();
        controls.apply("_certificate/serial:" + serial, control("_certificate", "serial:" + serial, List.of(serial)));
        assertThat(((AuthDecision.Refused) v.verify(request("acme/never-seen-2", leaked))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
        controls.apply("_certificate/serial:" + serial, null);
        assertThat(v.verify(request("acme/never-seen-2", leaked))).isInstanceOf(AuthDecision.Accepted.class);

        TestCredential byPrint = pki.deviceCertificate("globex", "never-seen-3");
        String fp = ConnectVerifier.fingerprint(byPrint.certificate());
        controls.apply("_certificate/sha256:" + fp, control("_certificate", "sha256:" + fp, List.of()));
        assertThat(((AuthDecision.Refused) v.verify(request("globex/never-seen-3", byPrint))).reason())
                .isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
        assertThat(v.verify(request("acme/never-seen-2", leaked))).as("another certificate is not affected")
                .isInstanceOf(AuthDecision.Accepted.class);
        assertThat(controls.certificateRevocations()).isEqualTo(1);
    }

    /**
     * Tens of thousands of operator revocations (serials, fingerprints, devices; none of them the devices below) and
     * then one of each kind aimed at a real certificate: exactly that device is refused, BANNED with
     * {@code certificate-revoked} naming it, while its neighbours (same device id in another tenant, the next device
     * of the tenant) still connect.
     */
    @Test
    void manyOperatorRevocationsStillRefuseExactlyTheRevokedDevice() {
        io.fleetwarden.broker.control.ControlState controls = new io.fleetwarden.broker.control.ControlState();
        ConnectVerifier v = new ConnectVerifier(List.of(pki.caCertificate()), crls, controls,
                DefaultCredentials.shipped(), new IdentityRule("default"), Set.of("TLSv1.3"), true, Clock.systemUTC());
        java.util.Random random = new java.util.Random(17);
        for (int i = 0; i < 30_000; i++) {
            // test PKI serials are 63-bit: 80-bit random serials never name one of them
            String serial = new java.math.BigInteger(80, random).setBit(79).toString(16);
            controls.apply("_certificate/serial:" + serial, control("_certificate", "serial:" + serial, List.of()));
            String fp = String.format("%064x", new java.math.BigInteger(250, random));
            controls.apply("_certificate/sha256:" + fp, control("_certificate", "sha256:" + fp, List.of()));
            controls.apply("acme/crowd-" + i, control("acme", "crowd-" + i, i % 2 == 0 ? List.of() : List.of(serial)));
        }
        TestCredential bySerial = pki.deviceCertificate("acme", "many-1");
        TestCredential byPrint = pki.deviceCertificate("acme", "many-2");
        TestCredential byDevice = pki.deviceCertificate("acme", "many-3");
        TestCredential sameIdOtherTenant = pki.deviceCertificate("globex", "many-3");
        TestCredential neighbour = pki.deviceCertificate("acme", "many-4");
        java.util.Map<String, TestCredential> all = java.util.Map.of("acme/many-1", bySerial, "acme/many-2", byPrint,
                "acme/many-3", byDevice, "globex/many-3", sameIdOtherTenant, "acme/many-4", neighbour);
        all.forEach((clientId, c) -> assertThat(v.verify(request(clientId, c))).as(clientId)
                .isInstanceOf(AuthDecision.Accepted.class));
        String serial = bySerial.certificate().getSerialNumber().toString(16);
        controls.apply("_certificate/serial:" + serial, control("_certificate", "serial:" + serial, List.of()));
        String fp = ConnectVerifier.fingerprint(byPrint.certificate());
        controls.apply("_certificate/sha256:" + fp, control("_certificate", "sha256:" + fp, List.of()));
        controls.apply("acme/many-3", control("acme", "many-3", List.of()));

        for (var revoked : List.of(java.util.Map.entry("acme/many-1", bySerial), java.util.Map.entry("acme/many-2", byPrint),
                java.util.Map.entry("acme/many-3", byDevice))) {
            AuthDecision d = v.verify(request(revoked.getKey(), revoked.getValue()));
            assertThat(d).as(revoked.getKey()).isInstanceOf(AuthDecision.Refused.class);
            AuthDecision.Refused r = (AuthDecision.Refused) d;
            assertThat(r.connack()).isEqualTo(Connack.BANNED);
            assertThat(r.reason()).isEqualTo(SecurityEventReasons.CERTIFICATE_REVOKED);
            assertThat(r.identity().key()).isEqualTo(revoked.getKey());
        }
        assertThat(v.verify(request("globex/many-3", sameIdOtherTenant))).as("same device id, another tenant")
                .isInstanceOf(AuthDecision.Accepted.class);
        assertThat(v.verify(request("acme/many-4", neighbour))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(controls.certificateRevocations()).isEqualTo(60_002);
    }

    private static io.fleetwarden.model.DeviceControl control(String tenant, String id, List<String> serials) {
        return io.fleetwarden.model.DeviceControl.newBuilder().setControlId("c").setTenant(tenant).setDeviceId(id)
                .setAction(io.fleetwarden.model.ControlAction.REVOKE).setQuarantined(false).setRevoked(true)
                .setRevokedCertificateSerials(serials).setIssuedBy("op").setIssuedAt(java.time.Instant.EPOCH).build();
    }

    @Test
    void theBareDeviceIdOfTheOldFlatClientIdSpaceIsRefusedWithItsOwnReason() {
        AuthDecision.Refused r = refused(request("dev-1", pki.deviceCertificate("acme", "dev-1")));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.CLIENT_ID_NOT_TENANT_QUALIFIED);
        assertThat(r.connack()).isEqualTo(Connack.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(r.detail()).contains("acme/dev-1");
        assertThat(r.identity().key()).isEqualTo("acme/dev-1");
    }

    @ParameterizedTest
    @CsvSource({"globex/hx-dev-0030", "globex/other-device"})
    void aClientIdOfAnotherTenantIsACrossTenantRefusalNamingTheVerifiedDevice(String clientId) {
        AuthDecision.Refused r = refused(request(clientId, pki.deviceCertificate("initech", "hx-dev-0030")));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.CROSS_TENANT_CLIENT_ID);
        assertThat(r.connack()).isEqualTo(Connack.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(r.identity().tenant()).isEqualTo("initech");
        assertThat(r.identity().deviceId()).isEqualTo("hx-dev-0030");
        assertThat(r.detail()).contains("globex").contains("initech/hx-dev-0030");
    }

    @Test
    void theSameDeviceIdInTwoTenantsConnectsOnlyUnderItsOwnTenant() {
        TestCredential globex = pki.deviceCertificate("globex", "hx-dev-0030");
        TestCredential initech = pki.deviceCertificate("initech", "hx-dev-0030");
        assertThat(verifier.verify(request("globex/hx-dev-0030", globex))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(verifier.verify(request("initech/hx-dev-0030", initech))).isInstanceOf(AuthDecision.Accepted.class);
        assertThat(refused(request("globex/hx-dev-0030", initech)).reason()).isEqualTo(SecurityEventReasons.CROSS_TENANT_CLIENT_ID);
        assertThat(refused(request("initech/hx-dev-0030", globex)).reason()).isEqualTo(SecurityEventReasons.CROSS_TENANT_CLIENT_ID);
    }

    // A valid certificate is verified before anything else is judged: every refusal for another reason
    // still names the verified device (issue: default-password stuffing with a stolen certificate).

    @ParameterizedTest
    @CsvSource({"root,xc3511", "admin,admin"})
    void aDefaultPasswordWithAValidCertificateNamesTheVerifiedDevice(String user, String password) {
        TestCredential dev = pki.deviceCertificate("acme", "dev-stolen");
        AuthDecision.Refused r = refused(new ConnectRequest("acme/dev-stolen", user, password, dev.chain(), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256"));
        assertThat(r.eventType()).isEqualTo(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT);
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.DEFAULT_CREDENTIALS);
        assertThat(r.identity()).isNotNull();
        assertThat(r.identity().key()).isEqualTo("acme/dev-stolen");
        assertThat(r.identity().serialHex()).isEqualTo(dev.certificate().getSerialNumber().toString(16));
    }

    @Test
    void aPasswordWithAValidCertificateAndAnyClientIdNamesTheVerifiedDevice() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-stolen");
        AuthDecision.Refused r = refused(new ConnectRequest("anything", "user", "secret", dev.chain(), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256"));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.PASSWORD_NOT_ALLOWED);
        assertThat(r.identity().key()).isEqualTo("acme/dev-stolen");
    }

    @Test
    void tlsParameterRefusalsWithAValidCertificateNameTheVerifiedDevice() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-1");
        AuthDecision.Refused r = refused(new ConnectRequest("acme/dev-1", null, null, dev.chain(), "TLSv1.1",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
        assertThat(r.reason()).isEqualTo(SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED);
        assertThat(r.identity().key()).isEqualTo("acme/dev-1");
    }

    @Test
    void aRevokedCertificateWithADefaultPasswordNamesItsDevice() {
        TestCredential dev = pki.deviceCertificate("acme", "dev-revoked-pw");
        revokedByControl.add("acme/dev-revoked-pw");
        AuthDecision.Refused r = refused(new ConnectRequest("acme/dev-revoked-pw", "root", "xc3511", dev.chain(), "TLSv1.3",
                "TLS_AES_128_GCM_SHA256"));
        assertThat(r.eventType()).isEqualTo(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT);
        assertThat(r.identity().key()).isEqualTo("acme/dev-revoked-pw");
    }

    @Test
    void credentialsWithoutAValidCertificateHaveNoIdentity() {
        for (TestCredential bad : List.of(pki.foreignDeviceCertificate("dev-x"), pki.expiredDeviceCertificate("dev-x"),
                pki.wrongUsageDeviceCertificate("dev-x"))) {
            AuthDecision.Refused r = refused(new ConnectRequest("acme/dev-x", "root", "xc3511", bad.chain(), "TLSv1.3",
                    "TLS_AES_128_GCM_SHA256"));
            assertThat(r.eventType()).isEqualTo(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT);
            assertThat(r.identity()).as("an unverified certificate names nobody").isNull();
        }
        assertThat(refused(new ConnectRequest("acme/dev-x", "root", "xc3511", List.of(), "TLSv1.3", "TLS_AES_128_GCM_SHA256"))
                .identity()).isNull();
    }
}
