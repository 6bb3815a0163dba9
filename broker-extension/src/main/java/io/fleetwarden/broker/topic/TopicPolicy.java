package io.fleetwarden.broker.topic;

import java.util.Optional;

import io.fleetwarden.model.SecurityEventReasons;

/**
 * Least-privilege topic rules for devices (Code of Practice guideline 6). Deny by default:
 * <ul>
 *   <li>publish only to {@code devices/{id}/telemetry} and {@code devices/{id}/events};</li>
 *   <li>subscribe only to {@code devices/{id}/commands/#}, {@code devices/{id}/commands} or a filter below
 *       {@code devices/{id}/commands/} whose wildcards stay inside it;</li>
 *   <li>everything else is refused: other devices' topics, {@code $SYS} and every {@code $} topic,
 *       shared subscriptions ({@code $share/...}), wildcards outside the device's command namespace.</li>
 * </ul>
 * Pure and thread-safe.
 */
public final class TopicPolicy {

    /** Why a topic was refused. */
    public record Refusal(String reason, String detail) {
    }

    /** Topic a device publishes telemetry to. */
    public static String telemetryTopic(String deviceId) {
        return "devices/" + deviceId + "/telemetry";
    }

    /** Topic a device publishes its own events to. */
    public static String eventsTopic(String deviceId) {
        return "devices/" + deviceId + "/events";
    }

    /** Filter a device subscribes to for commands. */
    public static String commandsFilter(String deviceId) {
        return "devices/" + deviceId + "/commands/#";
    }

    /** Checks a PUBLISH topic; empty when allowed. */
    public Optional<Refusal> checkPublish(String deviceId, String topic) {
        if (topic == null || topic.isEmpty()) {
            return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED, "empty topic");
        }
        if (topic.startsWith("$")) {
            return refused(SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED, "publishing to " + topic + " is not permitted");
        }
        if (topic.equals(telemetryTopic(deviceId)) || topic.equals(eventsTopic(deviceId))) {
            return Optional.empty();
        }
        return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED,
                "device " + deviceId + " may publish only to " + telemetryTopic(deviceId) + " and " + eventsTopic(deviceId));
    }

    /** Checks a SUBSCRIBE filter (as sent, including any {@code $share/} prefix); empty when allowed. */
    public Optional<Refusal> checkSubscribe(String deviceId, String filter) {
        if (filter == null || filter.isEmpty()) {
            return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED, "empty topic filter");
        }
        if (filter.startsWith("$share/") || filter.startsWith("$queue/")) {
            return refused(SecurityEventReasons.SHARED_SUBSCRIPTION_NOT_PERMITTED, "shared subscriptions are not permitted");
        }
        if (filter.startsWith("$")) {
            return refused(SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED, "subscribing to " + filter + " is not permitted");
        }
        String base = "devices/" + deviceId + "/commands";
        if (filter.equals(base) || filter.equals(base + "/#")) {
            return Optional.empty();
        }
        if (filter.startsWith(base + "/")) {
            // Wildcards below the command namespace cannot reach outside it.
            return Optional.empty();
        }
        if (filter.contains("#") || filter.contains("+")) {
            return refused(SecurityEventReasons.WILDCARD_NOT_PERMITTED,
                    "wildcard filter " + filter + " reaches outside " + base + "/#");
        }
        return refused(SecurityEventReasons.TOPIC_NOT_PERMITTED, "device " + deviceId + " may subscribe only to " + base + "/#");
    }

    private static Optional<Refusal> refused(String reason, String detail) {
        return Optional.of(new Refusal(reason, detail));
    }
}
