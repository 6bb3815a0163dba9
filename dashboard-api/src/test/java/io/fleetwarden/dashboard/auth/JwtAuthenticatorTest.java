package io.fleetwarden.dashboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/** OIDC access tokens signed by a key generated at test time and served from a local JWKS endpoint. */
class JwtAuthenticatorTest {

    static HttpServer jwks;
    static RSAKey key;
    static RSAKey otherKey;
    static JwtAuthenticator auth;

    @BeforeAll
    static void start() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        jwks.start();
        auth = new JwtAuthenticator("https://idp.example", "fleetwarden-api",
                "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks", "fleetwarden_role", "fleetwarden_tenants");
    }

    @AfterAll
    static void stop() {
        jwks.stop(0);
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer("https://idp.example").audience("fleetwarden-api").subject("alice")
                .issueTime(new Date()).expirationTime(new Date(System.currentTimeMillis() + 300_000))
                .claim("fleetwarden_role", "analyst").claim("fleetwarden_tenants", List.of("acme"));
    }

    static String sign(RSAKey k, JWTClaimsSet c) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(JOSEObjectType.JWT)
                .build(), c);
        jwt.sign(new RSASSASigner(k));
        return jwt.serialize();
    }

    @Test
    void aValidTokenGivesItsRoleAndTenants() throws Exception {
        Principal p = auth.authenticate(sign(key, claims().build())).orElseThrow();
        assertThat(p.name()).isEqualTo("oidc:alice");
        assertThat(p.role()).isEqualTo(Role.ANALYST);
        assertThat(p.tenants()).containsExactly("acme");
        assertThat(p.platformWide()).isFalse();
    }

    @Test
    void wrongIssuerAudienceExpiryKeyOrAlgorithmIsRefused() throws Exception {
        assertThat(auth.authenticate(sign(key, claims().issuer("https://evil.example").build()))).isEmpty();
        assertThat(auth.authenticate(sign(key, claims().audience("other").build()))).isEmpty();
        assertThat(auth.authenticate(sign(key, claims().expirationTime(new Date(System.currentTimeMillis() - 600_000))
                .build()))).isEmpty();
        assertThat(auth.authenticate(sign(otherKey, claims().build()))).isEmpty();
        assertThat(auth.authenticate(new PlainJWT(claims().build()).serialize())).isEmpty();
        SignedJWT hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hs.sign(new MACSigner("0123456789abcdef0123456789abcdef"));
        assertThat(auth.authenticate(hs.serialize())).isEmpty();
        assertThat(auth.authenticate("not.a.jwt")).isEmpty();
    }

    @Test
    void grantsAreValidated() throws Exception {
        Principal soc = auth.authenticate(sign(key, claims().claim("fleetwarden_tenants", List.of("*")).build()))
                .orElseThrow();
        assertThat(soc.platformWide()).as("platform SOC").isTrue();
        assertThat(soc.canSee(io.fleetwarden.model.Scopes.FRONT_DOOR)).isTrue();
        assertThat(auth.authenticate(sign(key, claims().claim("fleetwarden_tenants", List.of("_front-door")).build())))
                .as("a reserved scope is not a tenant").isEmpty();
        Principal admin = auth.authenticate(sign(key, claims().claim("fleetwarden_role", "admin")
                .claim("fleetwarden_tenants", List.of("*")).build())).orElseThrow();
        assertThat(admin.platformWide()).isTrue();
        assertThat(auth.authenticate(sign(key, claims().claim("fleetwarden_role", "root").build()))).isEmpty();
        assertThat(auth.authenticate(sign(key, claims().claim("fleetwarden_tenants", List.of()).build()))).isEmpty();
    }
}
