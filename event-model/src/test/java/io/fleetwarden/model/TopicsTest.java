package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void topicNamesAreUniqueAndStateTopicsAreCompacted() {
        assertThat(Topics.ALL).extracting(TopicSpec::name).doesNotHaveDuplicates()
                .contains(Topics.TELEMETRY, Topics.SECURITY_EVENTS, Topics.ALERTS, Topics.DEVICE_CONTROLS);
        assertThat(Topics.ALL).filteredOn(TopicSpec::compacted).extracting(TopicSpec::name)
                .containsExactlyInAnyOrder(Topics.FIRMWARE_CATALOG, Topics.ADVISORIES, Topics.DEVICE_CONTROLS,
                        Topics.DEVICE_STATUS, Topics.ALERT_TRIAGE, Topics.ALERTS, Topics.ERASURES, Topics.DEVICE_REGISTRY);
        assertThat(Topics.spec(Topics.DEVICE_CONTROLS)).get().extracting(TopicSpec::cleanupPolicy).isEqualTo("compact");
        assertThat(Topics.spec("nope")).isEmpty();
    }

    @Test
    void alertsAreKeptAsLongAsTheirLatestRevisionBecauseReadersRebuildTheirViewByReplay() {
        // delete retention would drop an open alert whose last revision is older than retention.ms
        TopicSpec alerts = Topics.spec(Topics.ALERTS).orElseThrow();
        assertThat(alerts.key()).isEqualTo("alert id");
        assertThat(alerts.configs()).containsEntry("cleanup.policy", "compact")
                .containsEntry("min.compaction.lag.ms", "604800000")
                .doesNotContainKeys("retention.ms", "retention.bytes");
        // every topic a reader materialises by replay keeps its latest state per key
        for (String replayed : java.util.List.of(Topics.ALERTS, Topics.ALERT_TRIAGE, Topics.DEVICE_CONTROLS,
                Topics.DEVICE_STATUS, Topics.FIRMWARE_CATALOG, Topics.ADVISORIES, Topics.ERASURES)) {
            assertThat(Topics.spec(replayed).orElseThrow().cleanupPolicy()).as(replayed).isEqualTo("compact");
        }
    }

    @Test
    void cleanupPolicyComesOnlyFromCompacted() {
        assertThatThrownBy(() -> new TopicSpec("t", "k", false, 1, "d", java.util.Map.of("cleanup.policy", "compact")))
                .hasMessageContaining("cleanup.policy");
        assertThat(new TopicSpec("t", "k", false, 1, "d").configs()).containsExactly(java.util.Map.entry("cleanup.policy", "delete"));
    }

    @Test
    void securityEventKeyIsTheDeviceKeyOrTheSourceAddress() {
        SecurityEvent verified = Samples.securityEvent();
        assertThat(Topics.securityEventKey(verified)).isEqualTo("acme/cam-000042");

        SecurityEvent anonymous = SecurityEvent.newBuilder(verified).setTenant(null).setDeviceId(null).build();
        assertThat(Topics.securityEventKey(anonymous)).isEqualTo("addr:198.51.100.7");
        SecurityEvent frontDoor = SecurityEvent.newBuilder(verified).setTenant(Scopes.FRONT_DOOR).setDeviceId(null).build();
        assertThat(Topics.securityEventKey(frontDoor)).isEqualTo("addr:198.51.100.7");
        SecurityEvent forged = SecurityEvent.newBuilder(verified).setTenant(Scopes.FRONT_DOOR).setDeviceId("cam-1").build();
        assertThat(Topics.securityEventKey(forged)).as("a reserved scope is never a device key").isEqualTo("addr:198.51.100.7");
    }

    @Test
    void deviceKeysRoundTripAndRefuseUnsafeIds() {
        assertThat(DeviceKeys.of("acme", "cam-1")).isEqualTo("acme/cam-1");
        assertThat(DeviceKeys.parse("acme/cam-1")).containsExactly("acme", "cam-1");
        assertThat(DeviceKeys.isValidId("a".repeat(64))).isTrue();
        assertThat(DeviceKeys.isValidId("a".repeat(65))).isFalse();
        assertThat(DeviceKeys.isValidId("cam/1")).isFalse();
        assertThat(DeviceKeys.isValidId("cam+")).isFalse();
        assertThat(DeviceKeys.isValidId("#")).isFalse();
        assertThat(DeviceKeys.isValidId("-cam")).isFalse();
        assertThat(DeviceKeys.isValidId("")).isFalse();
        assertThatThrownBy(() -> DeviceKeys.of("acme", "a/b")).hasMessageContaining("device id");
        assertThatThrownBy(() -> DeviceKeys.parse("nokey")).hasMessageContaining("tenant/deviceId");
    }
}
