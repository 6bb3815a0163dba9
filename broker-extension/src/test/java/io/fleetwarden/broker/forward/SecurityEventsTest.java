package io.fleetwarden.broker.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fleetwarden.broker.identity.DeviceIdentity;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.Scopes;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;

/** Who a security event is attributed to: the verified device, or the reserved front-door scope. */
class SecurityEventsTest {

    final SecurityEvents events = new SecurityEvents(Clock.fixed(Instant.parse("2026-12-06T00:00:00Z"), ZoneOffset.UTC));
    final BrokerContext broker = BrokerContext.newBuilder().setBrokerId("b1").setSourceAddress("203.0.113.9").build();

    @Test
    void aVerifiedIdentityNamesTenantAndDeviceAndKeysByTheDevice() {
        SecurityEvent e = events.build(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "d", new DeviceIdentity("acme", "cam-1", "0a", "ff", Instant.EPOCH), "x", "root", null, broker, Map.of());
        assertThat(e.getTenant()).isEqualTo("acme");
        assertThat(e.getDeviceId()).isEqualTo("cam-1");
        assertThat(Topics.securityEventKey(e)).isEqualTo("acme/cam-1");
    }

    @Test
    void withoutAVerifiedIdentityTheEventIsInTheFrontDoorScopeKeyedByAddress() {
        SecurityEvent e = events.build(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                "d", null, "acme/cam-1", "root", null, broker, Map.of());
        assertThat(e.getTenant()).isEqualTo(Scopes.FRONT_DOOR);
        assertThat(e.getDeviceId()).isNull();
        assertThat(e.getClaimedClientId()).as("what the client claimed is kept, never trusted").isEqualTo("acme/cam-1");
        assertThat(Topics.securityEventKey(e)).isEqualTo("addr:203.0.113.9");
    }
}
