package io.fleetwarden.dashboard.auth;

import java.net.MalformedURLException;
import java.net.URL;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

/**
 * Verifies OIDC access tokens (JWTs) with nimbus-jose-jwt: signature against the issuer's JWKS
 * (fetched and cached by nimbus), issuer, audience, expiry, and an asymmetric algorithm (RS/PS/ES
 * 256), so {@code alg=none} and HMAC confusion are refused.
 *
 * <p>The grant comes from two claims: {@code rolesClaim} (a string: viewer, analyst or admin) and
 * {@code tenantsClaim} (an array of tenant ids; {@code "*"} means platform-wide: a platform-wide
 * viewer or analyst is the platform SOC, a platform-wide admin the platform admin). A reserved scope
 * such as {@code _front-door} in the tenant list refuses the token.
 */
public final class JwtAuthenticator {

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String roleClaim;
    private final String tenantsClaim;

    public JwtAuthenticator(String issuer, String audience, String jwksUrl, String roleClaim, String tenantsClaim) {
        this.roleClaim = roleClaim;
        this.tenantsClaim = tenantsClaim;
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(new URL(jwksUrl)).retrying(true).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("oidc.jwks-url is not a URL: " + jwksUrl, e);
        }
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp", "iat")));
    }

    /** The principal for a valid JWT, or empty when anything about it is wrong. */
    public Optional<Principal> authenticate(String jwt) {
        try {
            JWTClaimsSet claims = processor.process(jwt, null);
            Role role = Role.parse(claims.getStringClaim(roleClaim));
            List<String> tenants = claims.getStringListClaim(tenantsClaim);
            if (tenants == null || tenants.isEmpty()) {
                return Optional.empty();
            }
            Set<String> set = new HashSet<>(tenants);
            boolean platformWide = set.remove("*");
            if (!platformWide && set.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Principal("oidc:" + claims.getSubject(), role, set, platformWide));
        } catch (Exception e) {
            // any parse, signature, claim or grant problem means: not authenticated
            return Optional.empty();
        }
    }
}
