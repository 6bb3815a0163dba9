package io.fleetwarden.broker.identity;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.fleetwarden.broker.identity.AuthDecision.Connack;
import io.fleetwarden.broker.identity.AuthDecision.Refused;
import io.fleetwarden.broker.registry.DeviceRegistry;
import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * Decides whether a CONNECT may proceed. Pure logic (no HiveMQ types), thread-safe, time from an
 * injected {@link Clock}.
 *
 * <p>The certificate is verified first (present, validity period, PKIX chain to a trusted CA, key usage,
 * readable identity), so that <em>every</em> refusal of a connection whose certificate verified carries the
 * verified identity, whatever it is refused for. Then the order of refusals, first one wins:
 * <ol>
 *   <li>credentials: any username or password is refused; a known factory default is a
 *       {@code DEFAULT_CREDENTIAL_ATTEMPT}, anything else {@code password-not-allowed};</li>
 *   <li>TLS: protocol in the allowed set, AEAD cipher suite (defence in depth: the listener enforces it too);</li>
 *   <li>the certificate: a client certificate is present; validity period (expired / not yet valid), then a
 *       PKIX chain to one of the trusted CAs (revocation is not checked by PKIX but by the CRL store, so the
 *       reason stays specific; a chain that validated before is not validated again, see below); key usage:
 *       digitalSignature if the extension is present, clientAuth if an EKU is present; the identity can be
 *       read ({@link IdentityRule});</li>
 *   <li>CRL revocation, then revocation by the control topic ({@link RevocationCheck});</li>
 *   <li>the MQTT client id is the tenant-qualified device key {@code <tenant>/<deviceId>}
 *       ({@link DeviceIdentities#clientId}); another tenant's key is {@code cross-tenant-client-id}, the bare
 *       device id {@code client-id-not-tenant-qualified}, anything else {@code client-id-mismatch};</li>
 *   <li>when the device registry is enforced ({@link DeviceRegistry}): the device is registered, not suspended,
 *       decommissioned or pending approval, and the certificate is one of its registered fingerprints or issued by one
 *       of its registered CAs; a device without a registration whose verified path contains an enrolment CA of its
 *       tenant is judged by that CA's template (just-in-time registration).</li>
 * </ol>
 *
 * <p>Validated chains are remembered (at most {@link #VALIDATED_CHAINS_MAX} recently used chains, each for
 * at most {@link #VALIDATED_CHAIN_TTL}): a device reconnecting with the same certificate skips the
 * PKIX signature checks, the most expensive step, which matters most in a reconnect storm. Only the
 * signature part is remembered: every connect still checks the validity period of each certificate in
 * the path, key usage, the CRLs and the operator revocations. The trust anchors are fixed for the life
 * of the verifier, so a remembered signature result cannot go stale. Refusals are never remembered.
 *
 * <p>What a certificate says about itself is remembered the same way ({@link #CERTIFICATE_FACTS_MAX} recently
 * used leaf certificates): the identity its names yield (or why they yield none), its key-usage verdict, serial,
 * SHA-256 fingerprint and end of validity. These are functions of the certificate's DER encoding alone (and of the
 * default tenant, fixed for the verifier), and the memo is keyed by the whole encoding ({@link X509Certificate#equals}
 * compares it byte for byte), never by a digest of it, so a different certificate can never be answered from it.
 * Only certificates that chained to a trusted CA get there. A reconnect then skips re-parsing the subject and
 * extensions and re-hashing the certificate. Time-dependent checks (validity period) and revocation are never
 * remembered.
 */
public final class ConnectVerifier {

    /** How many validated chains are remembered. */
    public static final int VALIDATED_CHAINS_MAX = 200_000;
    /** How long a validated chain is remembered after it was validated. */
    public static final Duration VALIDATED_CHAIN_TTL = Duration.ofHours(1);
    /** How many leaf certificates' parsed facts are remembered (for at most {@link #VALIDATED_CHAIN_TTL} each). */
    public static final int CERTIFICATE_FACTS_MAX = 200_000;

    /** Revocations from outside the CRLs (the device-controls topic). */
    @FunctionalInterface
    public interface RevocationCheck {
        /** Whether the device, or this certificate serial of it, is revoked. */
        boolean isRevoked(String tenant, String deviceId, String serialHex);

        /** Whether this identity's certificate is revoked (by device, serial or fingerprint). */
        default boolean isRevoked(DeviceIdentity identity) {
            return isRevoked(identity.tenant(), identity.deviceId(), identity.serialHex());
        }
    }

    private static final String CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
    private static final int DIGITAL_SIGNATURE = 0;

    private final Set<TrustAnchor> anchors;
    private final CrlStore crls;
    private final RevocationCheck controls;
    private final DefaultCredentials defaults;
    private final IdentityRule identityRule;
    private final Set<String> protocols;
    private final boolean requireAead;
    private final Clock clock;
    private final DeviceRegistry registry;
    private final Cache<List<X509Certificate>, Boolean> validatedChains = Caffeine.newBuilder()
            .maximumSize(VALIDATED_CHAINS_MAX).expireAfterWrite(VALIDATED_CHAIN_TTL).build();
    private final LongAdder pkixValidations = new LongAdder();
    private final Cache<X509Certificate, CertificateFacts> certificateFacts = Caffeine.newBuilder()
            .maximumSize(CERTIFICATE_FACTS_MAX).expireAfterWrite(VALIDATED_CHAIN_TTL).build();
    private final LongAdder certificateParses = new LongAdder();

    public ConnectVerifier(List<X509Certificate> trustedCas, CrlStore crls, RevocationCheck controls,
                           DefaultCredentials defaults, IdentityRule identityRule, Set<String> protocols,
                           boolean requireAead, Clock clock) {
        this(trustedCas, crls, controls, defaults, identityRule, protocols, requireAead, clock, null);
    }

    /**
     * @param registry the device registry to enforce at every connect, or null when registry enforcement is off
     */
    public ConnectVerifier(List<X509Certificate> trustedCas, CrlStore crls, RevocationCheck controls,
                           DefaultCredentials defaults, IdentityRule identityRule, Set<String> protocols,
                           boolean requireAead, Clock clock, DeviceRegistry registry) {
        this.registry = registry;
        this.anchors = trustedCas.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toUnmodifiableSet());
        this.crls = crls;
        this.controls = controls;
        this.defaults = defaults;
        this.identityRule = identityRule;
        this.protocols = Set.copyOf(protocols);
        this.requireAead = requireAead;
        this.clock = clock;
    }

    /** Checks one CONNECT. Never throws on bad input. */
    public AuthDecision verify(ConnectRequest req) {
        // The certificate is verified before anything else is judged, so that every refusal of a
        // connection that presented a valid certificate names the verified identity: a stolen device key
        // used with a factory-default password is an event about that device, in its tenant.
        CertificateCheck cert = checkCertificate(req.chain());
        DeviceIdentity identity = cert.identity();
        if (req.username() != null || req.password() != null) {
            if (defaults.matches(req.username(), req.password())) {
                return refuse(Connack.BAD_USER_NAME_OR_PASSWORD, SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT,
                        SecurityEventReasons.DEFAULT_CREDENTIALS,
                        "factory-default credentials offered; devices authenticate with certificates only", identity);
            }
            return refuse(Connack.BAD_USER_NAME_OR_PASSWORD, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.PASSWORD_NOT_ALLOWED,
                    "username/password login is not accepted; devices authenticate with certificates only", identity);
        }
        if (req.tlsProtocol() == null || !protocols.contains(req.tlsProtocol())) {
            return refuse(Connack.NOT_AUTHORIZED, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED,
                    "TLS protocol " + req.tlsProtocol() + " not allowed; use one of " + protocols, identity);
        }
        if (requireAead && !isAead(req.tlsCipher())) {
            return refuse(Connack.NOT_AUTHORIZED, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.TLS_PARAMETERS_NOT_ALLOWED,
                    "cipher suite " + req.tlsCipher() + " is not an AEAD suite", identity);
        }
        if (cert.refusal() != null) {
            return cert.refusal();
        }
        X509Certificate leaf = req.chain().get(0);
        if (crls.isRevoked(leaf)) {
            return refuse(Connack.BANNED, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.CERTIFICATE_REVOKED, "client certificate serial " + identity.serialHex()
                    + " is revoked by its CA's CRL", identity);
        }
        if (controls.isRevoked(identity)) {
            return refuse(Connack.BANNED, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.CERTIFICATE_REVOKED, "device " + identity.key() + " is revoked by an operator",
                    identity);
        }
        String expectedClientId = DeviceIdentities.clientId(identity.tenant(), identity.deviceId());
        if (!expectedClientId.equals(req.clientId())) {
            return clientIdRefusal(req.clientId(), expectedClientId, identity);
        }
        if (registry == null) {
            return new AuthDecision.Accepted(identity);
        }
        List<String> issuers = issuerFingerprints(req.chain());
        DeviceRegistry.Verdict verdict = registry.judge(identity, issuers);
        if (verdict instanceof DeviceRegistry.Refusal r) {
            return new Refused(r.connack(), SecurityEventType.AUTHENTICATION_FAILURE, r.reason(), r.detail(), identity,
                    r.attributes());
        }
        DeviceRegistry.Admission a = (DeviceRegistry.Admission) verdict;
        return new AuthDecision.Accepted(identity, a.registration(), issuers, a.attributes());
    }

    /**
     * The client id must be the tenant-qualified device key: device ids are unique only within a tenant,
     * and MQTT sessions (and takeovers) are per client id. A client id naming another tenant's device, and
     * the bare device id of the old flat client-id space, are refused with their own reasons.
     */
    private static Refused clientIdRefusal(String clientId, String expected, DeviceIdentity identity) {
        Optional<DeviceIdentities.Names> claimed = DeviceIdentities.parseClientId(clientId);
        if (claimed.isPresent() && !claimed.get().tenant().equals(identity.tenant())) {
            return refuse(Connack.CLIENT_IDENTIFIER_NOT_VALID, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.CROSS_TENANT_CLIENT_ID, "client id names tenant '" + claimed.get().tenant()
                    + "' but the certificate belongs to tenant '" + identity.tenant() + "'; the client id must be '"
                    + expected + "'", identity);
        }
        if (identity.deviceId().equals(clientId)) {
            return refuse(Connack.CLIENT_IDENTIFIER_NOT_VALID, SecurityEventType.AUTHENTICATION_FAILURE,
                    SecurityEventReasons.CLIENT_ID_NOT_TENANT_QUALIFIED,
                    "client id must be tenant-qualified: '" + expected + "'", identity);
        }
        return refuse(Connack.CLIENT_IDENTIFIER_NOT_VALID, SecurityEventType.AUTHENTICATION_FAILURE,
                SecurityEventReasons.CLIENT_ID_MISMATCH,
                "client id must equal the certificate's device key '" + expected + "'", identity);
    }

    /**
     * Fingerprints of the CA certificates above the leaf of a VERIFIED chain: the presented intermediates up to the
     * first trust anchor, and that anchor (presented, or the one that issued the top of the presented path: clients
     * rarely send the root). Certificates a client appends after a trust anchor are not part of the validated path
     * and never count as issuers, so nobody can claim an issuer (or an enrolment CA) by attaching its public
     * certificate.
     */
    private List<String> issuerFingerprints(List<X509Certificate> chain) {
        List<String> out = new ArrayList<>();
        X509Certificate top = chain.get(0);
        for (int i = 1; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            out.add(fingerprint(c));
            if (isAnchor(c)) {
                return out;
            }
            top = c;
        }
        List<X509Certificate> named = new ArrayList<>();
        for (TrustAnchor a : anchors) {
            if (a.getTrustedCert().getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
                named.add(a.getTrustedCert());
            }
        }
        for (X509Certificate ca : named) {
            // two anchors with one name (a CA renewed with a new key): only the one whose key signed the path counts
            if (named.size() == 1 || signedBy(top, ca)) {
                out.add(fingerprint(ca));
            }
        }
        return out;
    }

    private boolean isAnchor(X509Certificate c) {
        for (TrustAnchor a : anchors) {
            if (a.getTrustedCert().equals(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate ca) {
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The verified identity, or why the certificate does not verify (then {@code identity} is null). */
    private record CertificateCheck(DeviceIdentity identity, Refused refusal) {
    }

    private CertificateCheck checkCertificate(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return certificateRefused(SecurityEventReasons.NO_CLIENT_CERTIFICATE, "a client certificate is required");
        }
        X509Certificate leaf = chain.get(0);
        Date now = Date.from(clock.instant());
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            return certificateRefused(SecurityEventReasons.CERTIFICATE_EXPIRED,
                    "client certificate expired at " + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            return certificateRefused(SecurityEventReasons.CERTIFICATE_NOT_YET_VALID,
                    "client certificate not valid before " + leaf.getNotBefore().toInstant());
        }
        String chainProblem = validateChain(chain, now);
        if (chainProblem != null) {
            return certificateRefused(SecurityEventReasons.CERTIFICATE_UNTRUSTED,
                    "client certificate does not chain to a fleet CA: " + chainProblem);
        }
        CertificateFacts facts = facts(leaf);
        if (facts.usageProblem() != null) {
            return certificateRefused(SecurityEventReasons.CERTIFICATE_KEY_USAGE, facts.usageProblem());
        }
        if (facts.identityProblem() != null) {
            return certificateRefused(SecurityEventReasons.IDENTITY_UNREADABLE, facts.identityProblem());
        }
        return new CertificateCheck(facts.identity(), null);
    }

    /**
     * What the certificate says about itself, from its DER encoding alone: the key-usage verdict, the identity (or
     * why its names yield none). Exactly one of {@code identity} and {@code identityProblem} is set.
     */
    private record CertificateFacts(String usageProblem, DeviceIdentity identity, String identityProblem) {
    }

    private CertificateFacts facts(X509Certificate leaf) {
        return certificateFacts.get(leaf, this::parseFacts);
    }

    private CertificateFacts parseFacts(X509Certificate leaf) {
        certificateParses.increment();
        String fingerprint = fingerprint(leaf);
        String usageProblem = usageProblem(leaf);
        try {
            IdentityRule.Names names = identityRule.names(leaf);
            return new CertificateFacts(usageProblem, new DeviceIdentity(names.tenant(), names.deviceId(),
                    serialHex(leaf), fingerprint, leaf.getNotAfter().toInstant()), null);
        } catch (IllegalArgumentException e) {
            return new CertificateFacts(usageProblem, null, String.valueOf(e.getMessage()));
        }
    }

    private static CertificateCheck certificateRefused(String reason, String detail) {
        return new CertificateCheck(null,
                refuse(Connack.NOT_AUTHORIZED, SecurityEventType.AUTHENTICATION_FAILURE, reason, detail, null));
    }

    private String validateChain(List<X509Certificate> chain, Date now) {
        // Only the chain up to (not including) a trust anchor goes into the path.
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c))) {
                break;
            }
            path.add(c);
        }
        if (validatedChains.getIfPresent(path) != null) {
            for (X509Certificate c : path) {
                try {
                    c.checkValidity(now);
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    validatedChains.invalidate(path);
                    return "certificate in the path is outside its validity period: " + c.getSubjectX500Principal();
                }
            }
            return null;
        }
        pkixValidations.increment();
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            validatedChains.put(List.copyOf(path), Boolean.TRUE);
            return null;
        } catch (CertPathValidatorException e) {
            return e.getReason() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
            return "no usable trust anchors: " + e.getMessage();
        } catch (GeneralSecurityException e) {
            return e.getMessage();
        }
    }

    /** How many chains went through full PKIX validation (not answered from the remembered ones). */
    long pkixValidations() {
        return pkixValidations.sum();
    }

    /** How many leaf certificates were parsed (not answered from the remembered facts). */
    long certificateParses() {
        return certificateParses.sum();
    }

    private static String usageProblem(X509Certificate leaf) {
        boolean[] ku = leaf.getKeyUsage();
        if (ku != null && (ku.length <= DIGITAL_SIGNATURE || !ku[DIGITAL_SIGNATURE])) {
            return "client certificate key usage lacks digitalSignature";
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CLIENT_AUTH_EKU)) {
                return "client certificate extended key usage lacks clientAuth";
            }
        } catch (CertificateParsingException e) {
            return "unreadable extended key usage";
        }
        return null;
    }

    /** AEAD suites: GCM, CCM (not CCM_8 which has a short tag) and ChaCha20-Poly1305; all TLS 1.3 suites are AEAD. */
    public static boolean isAead(String cipher) {
        if (cipher == null) {
            return false;
        }
        if (cipher.startsWith("TLS_AES_") || cipher.equals("TLS_CHACHA20_POLY1305_SHA256")) {
            return !cipher.contains("CCM_8");
        }
        return (cipher.contains("_GCM_") || cipher.contains("CHACHA20_POLY1305") || cipher.endsWith("_CCM"))
                && !cipher.contains("CCM_8");
    }

    private static Refused refuse(Connack connack, SecurityEventType type, String reason, String detail,
                                  DeviceIdentity identity) {
        return new Refused(connack, type, reason, detail, identity);
    }

    /** Lowercase hex serial. */
    public static String serialHex(X509Certificate cert) {
        return cert.getSerialNumber().toString(16);
    }

    /** SHA-256 of the DER encoding, lowercase hex. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
