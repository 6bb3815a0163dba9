package io.fleetwarden.broker.hivemq;

import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;

import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;

import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.model.BrokerContext;

/** Builds the {@link BrokerContext} of a connection from what HiveMQ observed (never from the client's claims). */
final class BrokerContexts {

    private BrokerContexts() {
    }

    static BrokerContext of(String brokerId, ConnectionInformation ci) {
        return of(brokerId, ci, null);
    }

    /**
     * @param knownFingerprint the client certificate's SHA-256 fingerprint when the caller already has it (from the
     *                         verified identity), else null and it is computed here
     */
    static BrokerContext of(String brokerId, ConnectionInformation ci, String knownFingerprint) {
        Optional<ClientTlsInformation> tls = ci.getClientTlsInformation();
        X509Certificate cert = tls.flatMap(ClientTlsInformation::getClientCertificate).orElse(null);
        String fingerprint = cert == null ? null : knownFingerprint != null ? knownFingerprint : ConnectVerifier.fingerprint(cert);
        return BrokerContext.newBuilder()
                .setBrokerId(brokerId)
                .setSourceAddress(ci.getInetAddress().map(InetAddress::getHostAddress).orElse(null))
                .setSourcePort(null)
                .setTlsProtocol(tls.map(ClientTlsInformation::getProtocol).orElse(null))
                .setTlsCipher(tls.map(ClientTlsInformation::getCipherSuite).orElse(null))
                .setCertificateFingerprint(fingerprint)
                .setCertificateSerial(cert == null ? null : ConnectVerifier.serialHex(cert))
                .setCertificateNotAfter(cert == null ? null : cert.getNotAfter().toInstant())
                .setMqttVersion(ci.getMqttVersion().name())
                .build();
    }
}
