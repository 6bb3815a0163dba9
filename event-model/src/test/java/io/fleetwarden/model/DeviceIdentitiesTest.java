package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The device identity profile: URIs, client ids and topics build and parse back, hostile input is refused. */
class DeviceIdentitiesTest {

    @Test
    void uriRoundTrips() {
        assertThat(DeviceIdentities.uri("globex", "hx-dev-0030")).isEqualTo("urn:device:globex:hx-dev-0030");
        assertThat(DeviceIdentities.parseUri("urn:device:globex:hx-dev-0030"))
                .isEqualTo(new DeviceIdentities.Names("globex", "hx-dev-0030"));
        assertThat(DeviceIdentities.parseUri("URN:Device:globex:cam.1")).isEqualTo(new DeviceIdentities.Names("globex", "cam.1"));
        assertThat(DeviceIdentities.isDeviceUri("urn:DEVICE:x")).isTrue();
        assertThat(DeviceIdentities.isDeviceUri("https://example.com")).isFalse();
        assertThat(DeviceIdentities.isDeviceUri(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"urn:device:acme", "urn:device:acme:", "urn:device::cam-1", "urn:device:acme:cam/1",
            "urn:device:acme:cam-1:extra", "urn:device:ac me:cam-1", "urn:device:_front-door:cam-1", "urn:device:acme:#",
            "urn:other:acme:cam-1"})
    void malformedUrisAreRefusedWithAReason(String uri) {
        assertThatThrownBy(() -> DeviceIdentities.parseUri(uri)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(uri);
    }

    @Test
    void buildingRefusesInvalidIds() {
        assertThatThrownBy(() -> DeviceIdentities.uri("acme", "a:b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIdentities.clientId("ac/me", "cam-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIdentities.telemetryTopic("acme", "+")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeviceIdentities.subjectDn(Scopes.FRONT_DOOR, "cam-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clientIdIsTheTenantQualifiedDeviceKey() {
        assertThat(DeviceIdentities.clientId("globex", "hx-dev-0030")).isEqualTo("globex/hx-dev-0030")
                .isEqualTo(DeviceKeys.of("globex", "hx-dev-0030"));
        assertThat(DeviceIdentities.clientId("initech", "hx-dev-0030")).isNotEqualTo(DeviceIdentities.clientId("globex", "hx-dev-0030"));
        assertThat(DeviceIdentities.parseClientId("initech/hx-dev-0030")).contains(new DeviceIdentities.Names("initech", "hx-dev-0030"));
        assertThat(DeviceIdentities.parseClientId("hx-dev-0030")).isEmpty();
        assertThat(DeviceIdentities.parseClientId("a/b/c")).isEmpty();
        assertThat(DeviceIdentities.parseClientId("/b")).isEmpty();
        assertThat(DeviceIdentities.parseClientId(null)).isEmpty();
    }

    @Test
    void topicsAreTenantQualifiedAndTheirTenantIsReadBack() {
        assertThat(DeviceIdentities.telemetryTopic("globex", "cam-1")).isEqualTo("devices/globex/cam-1/telemetry");
        assertThat(DeviceIdentities.eventsTopic("globex", "cam-1")).isEqualTo("devices/globex/cam-1/events");
        assertThat(DeviceIdentities.commandsTopic("globex", "cam-1")).isEqualTo("devices/globex/cam-1/commands");
        assertThat(DeviceIdentities.topicTenant("devices/globex/cam-1/telemetry")).contains("globex");
        assertThat(DeviceIdentities.topicTenant("devices/globex/cam-1/commands/#")).contains("globex");
        assertThat(DeviceIdentities.topicTenant("devices/+/cam-1/commands/#")).isEmpty();
        assertThat(DeviceIdentities.topicTenant("devices/cam-1/telemetry")).isEmpty();
        assertThat(DeviceIdentities.topicTenant("devices/cam-1/commands/#")).as("old flat filter").isEmpty();
        assertThat(DeviceIdentities.topicTenant("devices/globex/cam-1/#")).isEmpty();
        assertThat(DeviceIdentities.topicTenant("$SYS/devices/globex/cam-1/x")).isEmpty();
        assertThat(DeviceIdentities.subjectDn("globex", "cam-1")).isEqualTo("CN=cam-1,O=globex");
    }
}
