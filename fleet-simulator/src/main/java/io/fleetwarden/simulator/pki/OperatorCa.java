package io.fleetwarden.simulator.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.fleetwarden.model.DeviceIdentities;

/**
 * An operator's own issuing CA, read from PEM files the operator owns (the platform never keeps them): the
 * issuing CA certificate, optionally followed by the intermediates above it (a root may be included; it is
 * not sent to devices), and the issuing CA's private key. Issues device certificates by the device profile of
 * {@link DeviceIdentities}: subject {@code O=<tenant>, CN=<id>}, SAN URI {@code urn:device:<tenant>:<id>},
 * basicConstraints CA:false, keyUsage digitalSignature (critical), extendedKeyUsage clientAuth, a fresh EC
 * P-256 key, a random 127-bit serial.
 *
 * <p>Refuses, before issuing anything: a key that does not belong to the issuing certificate, an issuing
 * certificate that is not a CA allowed to sign certificates, a chain whose certificates do not follow one
 * another, and a validity that would end after the issuing CA's (a PKIX path would then fail mid-life).
 *
 * <p>Time: validity starts one hour before {@code now} (tolerates device clocks slightly behind).
 */
public final class OperatorCa {

    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final SecureRandom random = new SecureRandom();

    private OperatorCa(PrivateKey key, List<X509Certificate> chain) {
        this.key = key;
        this.chain = List.copyOf(chain);
    }

    /**
     * Reads the issuing CA.
     *
     * @param certificateFile the issuing CA certificate first, then (optionally) its issuers in order
     * @param keyFile         the issuing CA's private key (PKCS#8 or traditional PEM, unencrypted)
     * @throws IllegalArgumentException naming the problem when the files do not make a usable issuing CA
     */
    public static OperatorCa load(Path certificateFile, Path keyFile) {
        List<X509Certificate> certs;
        PrivateKey key;
        try {
            certs = FleetPki.readCertificates(certificateFile);
            key = FleetPki.readKey(keyFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA files: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read the CA files: " + e.getCause().getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("no certificate in " + certificateFile);
        }
        X509Certificate issuing = certs.get(0);
        if (issuing.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(issuing.getSubjectX500Principal() + " is not a CA certificate (basicConstraints CA:true missing)");
        }
        boolean[] ku = issuing.getKeyUsage();
        if (ku != null && (ku.length <= 5 || !ku[5])) {
            throw new IllegalArgumentException(issuing.getSubjectX500Principal() + " may not sign certificates (keyUsage lacks keyCertSign)");
        }
        for (int i = 1; i < certs.size(); i++) {
            try {
                certs.get(i - 1).verify(certs.get(i).getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("certificate " + (i + 1) + " in " + certificateFile
                        + " did not sign the one before it: list the issuing CA first, then each issuer in order", e);
            }
        }
        requireMatchingKey(key, issuing);
        return new OperatorCa(key, certs);
    }

    /** The issuing CA certificate. */
    public X509Certificate issuingCertificate() {
        return chain.get(0);
    }

    /**
     * Issues a new key and certificate for the device, valid from an hour before {@code now} for {@code validity}.
     * The credential's chain is the device certificate followed by the issuing CA and every intermediate above it
     * (a self-signed root is left out: the broker has it, and a device has no use for sending it).
     */
    public Credential issue(String tenant, String deviceId, Instant now, Duration validity) {
        DeviceIdentities.clientId(tenant, deviceId); // validates both ids
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive");
        }
        X509Certificate issuing = issuingCertificate();
        Instant end = now.plus(validity);
        if (end.isAfter(issuing.getNotAfter().toInstant())) {
            throw new IllegalArgumentException("the device certificate would end at " + end + ", after its CA "
                    + issuing.getSubjectX500Principal() + " (" + issuing.getNotAfter().toInstant() + "); issue it for less");
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            X500Name subject = X500Name.getInstance(new X500Principal(DeviceIdentities.subjectDn(tenant, deviceId)).getEncoded());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuing, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(end), subject, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, DeviceIdentities.uri(tenant, deviceId))));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuing));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder(signatureAlgorithm(issuing)).build(key)));
            List<X509Certificate> out = new ArrayList<>();
            out.add(cert);
            for (X509Certificate c : chain) {
                if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                    out.add(c);
                }
            }
            return new Credential(pair.getPrivate(), out.toArray(X509Certificate[]::new));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + tenant + "/" + deviceId + ": " + e.getMessage(), e);
        }
    }

    private static String signatureAlgorithm(X509Certificate ca) {
        if (ca.getPublicKey() instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if ("RSA".equals(ca.getPublicKey().getAlgorithm())) {
            return "SHA256withRSA";
        }
        if ("Ed25519".equals(ca.getPublicKey().getAlgorithm())) {
            return "Ed25519";
        }
        throw new IllegalArgumentException("unsupported CA key type " + ca.getPublicKey().getAlgorithm());
    }

    /** Signs a probe with the key and verifies it with the certificate: the key must be the certificate's. */
    private static void requireMatchingKey(PrivateKey key, X509Certificate issuing) {
        String alg = signatureAlgorithm(issuing);
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(issuing.getPublicKey());
            v.update(probe);
            if (v.verify(sig)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // falls through to the refusal
        }
        throw new IllegalArgumentException("the CA key does not belong to " + issuing.getSubjectX500Principal());
    }
}
