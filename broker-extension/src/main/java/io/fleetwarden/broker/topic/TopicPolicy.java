package io.fleetwarden.broker.topic;

import java.util.Optional;

import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.SecurityEventReasons;

/**
 * Least-privilege topic rules for devices (Code of Practice guideline 6), in the tenant-qualified namespace
 * {@code devices/<tenant>/<deviceId>/} of {@link DeviceIdentities}. Deny by default:
 * <ul>
 *   <li>publish only to {@code devices/<tenant>/<id>/telemetry} and {@code devices/<tenant>/<id>/events};</li>
 *   <li>subscribe only to {@code devices/<tenant>/<id>/commands}, {@code .../commands/#} or a filter below
 *       {@code .../commands/} whose wildcards stay inside it;</li>
 *   <li>a topic or filter in another tenant's namespace ({@code devices/<other tenant>/<id>/...}) is refused as
 *       {@code cross-tenant-topic}, so a device id that also exists in another tenant never reaches it;</li>
 *   <li>everything else is refused: other devices' topics, the old flat {@code devices/<id>/...} topics,
 *       {@code $SYS} and every {@code $} topic, shared subscriptions ({@code $share/...}), wildcards outside the
 *       device's command namespace.</li>
 * </ul>
 * Pure and thread-safe.
 */
public final class TopicPolicy {

    /** Why a topic was refused. */
    public record Refusal(String reason, String detail) {
    }

    /** Topic a device publishes telemetry to. */
    public static String telemetryTopic(String tenant, String deviceId) {
        return DeviceIdentities.telemetryTopic(tenant, deviceId);
    }

    /** Topic a device publishes its own events to. */
    public static String eventsTopic(String tenant, String deviceId) {
        return DeviceIdentities.eventsTopic(tenant, deviceId);
    }

    /** Filter a device subscribes to for commands. */
    public static String commandsFilter(String tenant, String deviceId) {
        return DeviceIdentities.commandsTopic(tenant, deviceId) + "/#";
    }

    /** Checks a PUBLISH topic; empty when allowed. */
    public Optional<Refusal> checkPublish(String tenant, String deviceId, String topic) {
        if (topic == null || topic.isEmpty()) {
            return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED, "empty topic");
        }
        if (topic.startsWith("$")) {
            return refused(SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED, "publishing to " + topic + " is not permitted");
        }
        String telemetry = telemetryTopic(tenant, deviceId);
        String events = eventsTopic(tenant, deviceId);
        if (topic.equals(telemetry) || topic.equals(events)) {
            return Optional.empty();
        }
        Optional<Refusal> crossTenant = crossTenant(tenant, topic);
        if (crossTenant.isPresent()) {
            return crossTenant;
        }
        return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED,
                "device " + tenant + "/" + deviceId + " may publish only to " + telemetry + " and " + events);
    }

    /** Checks a SUBSCRIBE filter (as sent, including any {@code $share/} prefix); empty when allowed. */
    public Optional<Refusal> checkSubscribe(String tenant, String deviceId, String filter) {
        if (filter == null || filter.isEmpty()) {
            return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED, "empty topic filter");
        }
        if (filter.startsWith("$share/") || filter.startsWith("$queue/")) {
            return refused(SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED, "shared subscriptions are not permitted");
        }
        if (filter.startsWith("$")) {
            return refused(SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED, "subscribing to " + filter + " is not permitted");
        }
        String base = DeviceIdentities.commandsTopic(tenant, deviceId);
        if (filter.equals(base) || filter.startsWith(base + "/")) {
            // Wildcards below the command namespace cannot reach outside it.
            return Optional.empty();
        }
        Optional<Refusal> crossTenant = crossTenant(tenant, filter);
        if (crossTenant.isPresent()) {
            return crossTenant;
        }
        if (filter.contains("#") || filter.contains("+")) {
            return refused(SecurityEventReasons.WILDCARD_NOT_PERMITTED,
                    "wildcard filter " + filter + " reaches outside " + base + "/#");
        }
        return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED,
                "device " + tenant + "/" + deviceId + " may subscribe only to " + base + "/#");
    }

    private static Optional<Refusal> crossTenant(String tenant, String topic) {
        return DeviceIdentities.topicTenant(topic).filter(t -> !t.equals(tenant))
                .map(t -> new Refusal(SecurityEventReasons.CROSS_TENANT_TOPIC,
                        "topic " + topic + " is in tenant " + t + "'s namespace; a device of tenant " + tenant
                                + " may use only devices/" + tenant + "/<its id>/"));
    }

    private static Optional<Refusal> refused(String reason, String detail) {
        return Optional.of(new Refusal(reason, detail));
    }
}
