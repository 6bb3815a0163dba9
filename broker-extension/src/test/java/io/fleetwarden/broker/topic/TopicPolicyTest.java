package io.fleetwarden.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fleetwarden.model.SecurityEventReasons;

/** Deny-by-default, tenant-qualified topic rules, allowed and refused cases for publish and subscribe. */
class TopicPolicyTest {

    final TopicPolicy policy = new TopicPolicy();

    @ParameterizedTest
    @CsvSource({
            "devices/acme/dev-1/telemetry,",
            "devices/acme/dev-1/events,",
            "devices/acme/dev-2/telemetry," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/acme/dev-1/commands/reboot," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/acme/dev-1/telemetry/extra," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            // the same device id in another tenant: never the device's own, and a distinct reason
            "devices/globex/dev-1/telemetry," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            "devices/globex/dev-1/events," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            "devices/globex/dev-1/commands/reboot," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            // the old flat namespace is gone
            "devices/dev-1/telemetry," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/dev-1/events," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/ACME/dev-1/telemetry," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            "devices/acme/dev-1//telemetry," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "$SYS/broker/clients," + SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED,
            "other," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "''," + SecurityEventReasons.TOPIC_NOT_PERMITTED})
    void publish(String topic, String reason) {
        assertThat(policy.checkPublish("acme", "dev-1", topic).map(TopicPolicy.Refusal::reason).orElse(null)).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({
            "devices/acme/dev-1/commands/#,",
            "devices/acme/dev-1/commands,",
            "devices/acme/dev-1/commands/+/ota,",
            "devices/acme/dev-1/commands/reboot,",
            "devices/acme/dev-2/commands/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/acme/+/telemetry," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/+/dev-1/commands/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/+/+/commands," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/acme/dev-1/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/acme/dev-2/commands," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/acme/dev-1/telemetry," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            // the same device id in another tenant, with or without wildcards below it
            "devices/globex/dev-1/commands," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            "devices/globex/dev-1/commands/#," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            "devices/globex/dev-1/commands/+/ota," + SecurityEventReasons.CROSS_TENANT_TOPIC,
            "devices/globex/dev-1/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            // the old flat namespace is gone
            "devices/dev-1/commands/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/dev-1/commands," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "$SYS/#," + SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED,
            "$share/g/devices/acme/dev-1/commands/#," + SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED,
            "$queue/devices/acme/dev-1/commands/#," + SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED,
            "''," + SecurityEventReasons.TOPIC_NOT_PERMITTED})
    void subscribe(String filter, String reason) {
        assertThat(policy.checkSubscribe("acme", "dev-1", filter).map(TopicPolicy.Refusal::reason).orElse(null)).isEqualTo(reason);
    }

    @Test
    void aCommandsPrefixOfALongerDeviceIdIsNotTheDevicesOwn() {
        // devices/acme/dev-1/commands must not be taken as a prefix of devices/acme/dev-10/...
        assertThat(policy.checkSubscribe("acme", "dev-1", "devices/acme/dev-10/commands/#")).isPresent();
        assertThat(policy.checkSubscribe("acme", "dev-1", "devices/acme/dev-1/commandsX")).isPresent();
    }
}
