package io.fleetwarden.jobs.alerts;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic alert ids: a name-based UUID of the subject, the rule and the event time the alert
 * opened. The same input replayed after a failover yields the same id, and a detector can name an
 * incident's id (for {@code parentAlertId}) without asking the alert stage.
 */
public final class AlertIds {

    private AlertIds() {
    }

    /**
     * @param alertKey subject and rule, see {@code Finding#alertKey()}
     * @param openedAt event time the alert opened (epoch millis)
     */
    public static String of(String alertKey, long openedAt) {
        return UUID.nameUUIDFromBytes((alertKey + "@" + openedAt).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
