package io.fleetwarden.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fleetwarden.model.SecurityEventReasons;

/** Deny-by-default topic rules, allowed and refused cases for publish and subscribe. */
class TopicPolicyTest {

    final TopicPolicy policy = new TopicPolicy();

    @ParameterizedTest
    @CsvSource({
            "devices/dev-1/telemetry,",
            "devices/dev-1/events,",
            "devices/dev-2/telemetry," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/dev-1/commands/reboot," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/dev-1/telemetry/extra," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "$SYS/broker/clients," + SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED,
            "other," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "''," + SecurityEventReasons.TOPIC_NOT_PERMITTED})
    void publish(String topic, String reason) {
        assertThat(policy.checkPublish("dev-1", topic).map(TopicPolicy.Refusal::reason).orElse(null)).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({
            "devices/dev-1/commands/#,",
            "devices/dev-1/commands,",
            "devices/dev-1/commands/+/ota,",
            "devices/dev-1/commands/reboot,",
            "devices/dev-2/commands/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/+/telemetry," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/dev-1/#," + SecurityEventReasons.WILDCARD_NOT_PERMITTED,
            "devices/dev-2/commands," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "devices/dev-1/telemetry," + SecurityEventReasons.TOPIC_NOT_PERMITTED,
            "$SYS/#," + SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED,
            "$share/g/devices/dev-1/commands/#," + SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED,
            "$queue/devices/dev-1/commands/#," + SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED,
            "''," + SecurityEventReasons.TOPIC_NOT_PERMITTED})
    void subscribe(String filter, String reason) {
        assertThat(policy.checkSubscribe("dev-1", filter).map(TopicPolicy.Refusal::reason).orElse(null)).isEqualTo(reason);
    }
}
