package io.fleetwarden.dashboard.device;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.fleetwarden.dashboard.alert.AlertView;
import io.fleetwarden.dashboard.posture.PostureService;

/** A device as the API shows it; the detail fields are null in list responses. */
public record DeviceView(String tenant, String deviceId, String model, String region, String firmwareVersion,
                         String brokerId, String sourceAddress, boolean connected, Instant lastSeen,
                         Instant certificateNotAfter, int riskScore, List<String> openAlertRuleIds,
                         List<Integer> failingGuidelines, Control control, List<AlertView> openAlerts,
                         List<PostureService.GuidelineStanding> posture, Map<String, Object> health) {

    /** Control state from {@code fleet.device-controls}. */
    public record Control(boolean quarantined, boolean revoked, String lastAction, String reason, String issuedBy,
                          Instant issuedAt) {
    }
}
