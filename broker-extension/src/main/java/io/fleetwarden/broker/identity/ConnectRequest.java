package io.fleetwarden.broker.identity;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a client offered on CONNECT, as seen by the broker (nothing here is verified yet).
 *
 * @param clientId     MQTT client id sent by the client
 * @param username     username, or {@code null}
 * @param password     password (decoded as UTF-8), or {@code null}; never logged or recorded
 * @param chain        client certificate chain, leaf first; empty when none was presented
 * @param tlsProtocol  negotiated TLS protocol, or {@code null} on a plain listener
 * @param tlsCipher    negotiated cipher suite, or {@code null}
 */
public record ConnectRequest(String clientId, String username, String password, List<X509Certificate> chain,
                             String tlsProtocol, String tlsCipher) {

    public ConnectRequest {
        chain = chain == null ? List.of() : List.copyOf(chain);
    }

    @Override
    public String toString() {
        // never print the password
        return "ConnectRequest[clientId=" + clientId + ", username=" + username + ", certs=" + chain.size()
                + ", tls=" + tlsProtocol + "/" + tlsCipher + "]";
    }
}
