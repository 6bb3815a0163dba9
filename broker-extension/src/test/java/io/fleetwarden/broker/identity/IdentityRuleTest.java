package io.fleetwarden.broker.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

import io.fleetwarden.testsupport.TestPki;

/** The documented identity rule: SAN URI first, else CN with O or the default tenant. */
class IdentityRuleTest {

    static final TestPki PKI = TestPki.create("acme");
    final IdentityRule rule = new IdentityRule("fallback");

    @Test
    void sanUriNamesTenantAndDevice() {
        var c = PKI.device("cn-ignored").subjectAlternativeName(
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:device:brand-b:dev-9")).issue();
        assertThat(rule.names(c.certificate())).isEqualTo(new IdentityRule.Names("brand-b", "dev-9"));
    }

    @Test
    void cnAndOrganisationWithoutSan() {
        var c = PKI.deviceCertificate("acme", "dev-1");
        assertThat(rule.names(c.certificate())).isEqualTo(new IdentityRule.Names("acme", "dev-1"));
    }

    @Test
    void cnWithoutOrganisationUsesTheDefaultTenant() {
        var c = PKI.device("dev-2").issue();
        assertThat(rule.names(c.certificate())).isEqualTo(new IdentityRule.Names("fallback", "dev-2"));
    }

    @Test
    void malformedUrnIsNotSilentlyIgnored() {
        var c = PKI.device("dev-3").subjectAlternativeName(
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:device:only-one-part")).issue();
        assertThatThrownBy(() -> rule.names(c.certificate())).hasMessageContaining("urn:device:");
    }

    @Test
    void invalidIdsInUrnAreRefused() {
        var c = PKI.device("dev-4").subjectAlternativeName(
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:device:acme:dev/../x")).issue();
        assertThatThrownBy(() -> rule.names(c.certificate())).hasMessageContaining("invalid");
    }

    @Test
    void cnThatIsNotAValidIdIsRefused() {
        var c = PKI.device("dev#1").issue();
        assertThatThrownBy(() -> rule.names(c.certificate())).hasMessageContaining("CN");
    }
}
