package io.fleetwarden.dashboard.auth;

import java.util.Optional;

import io.fleetwarden.dashboard.web.ApiException;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Principal}: API tokens (prefix
 * {@code fwt_}) go to the {@link TokenStore}, anything else to the OIDC verifier when one is
 * configured. Fails closed: no header, a bad header or an unknown token is 401.
 */
public final class Authenticator {

    private final TokenStore tokens;
    private final JwtAuthenticator jwt;

    /** @param jwt OIDC verifier, or {@code null} when OIDC is not configured */
    public Authenticator(TokenStore tokens, JwtAuthenticator jwt) {
        this.tokens = tokens;
        this.jwt = jwt;
    }

    public Principal authenticate(String authorizationHeader) {
        if (authorizationHeader == null || authorizationHeader.isBlank()) {
            throw ApiException.unauthorized("send Authorization: Bearer <token>");
        }
        if (!authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("only Bearer authentication is supported");
        }
        String credential = authorizationHeader.substring(7).trim();
        Optional<Principal> p = credential.startsWith("fwt_") ? tokens.authenticate(credential)
                : jwt == null ? Optional.empty() : jwt.authenticate(credential);
        return p.orElseThrow(() -> ApiException.unauthorized("invalid or expired token"));
    }
}
