package io.fleetwarden.dashboard.alert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertTriage;

/**
 * Maps an alert to an OCSF 1.3 Detection Finding (class_uid 2004, category 2 Findings), the
 * schema Splunk, AWS Security Lake, Sentinel and others ingest. The mapping is documented in the
 * module README; an alert revision becomes one finding whose {@code finding_info.uid} is the
 * alert id, so a SIEM can fold revisions together.
 */
@SuppressWarnings("unchecked")
public final class OcsfMapper {

    private OcsfMapper() {
    }

    /** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
    static int severityId(String severity) {
        return switch (severity) {
            case "INFO" -> 1;
            case "LOW" -> 2;
            case "MEDIUM" -> 3;
            case "HIGH" -> 4;
            case "CRITICAL" -> 5;
            default -> 0;
        };
    }

    public static Map<String, Object> detectionFinding(Alert a, AlertTriage t, String productVersion) {
        String status = AlertService.effectiveStatus(a, t);
        boolean created = a.getRevision() <= 1;
        boolean closed = "RESOLVED".equals(status);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("class_uid", 2004);
        f.put("class_name", "Detection Finding");
        f.put("category_uid", 2);
        f.put("category_name", "Findings");
        int activity = closed ? 3 : created ? 1 : 2; // 1 Create, 2 Update, 3 Close
        f.put("activity_id", activity);
        f.put("type_uid", 2004 * 100 + activity);
        f.put("time", a.getUpdatedAt().toEpochMilli());
        f.put("severity_id", severityId(a.getSeverity().name()));
        f.put("severity", a.getSeverity().name().charAt(0) + a.getSeverity().name().substring(1).toLowerCase());
        // status_id: 1 New, 2 In Progress, 4 Resolved
        f.put("status_id", closed ? 4 : "ACKNOWLEDGED".equals(status) ? 2 : 1);
        f.put("status", closed ? "Resolved" : "ACKNOWLEDGED".equals(status) ? "In Progress" : "New");
        f.put("message", a.getSummary());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("uid", a.getAlertId());
        info.put("title", a.getRuleName());
        info.put("desc", a.getSummary());
        info.put("created_time", a.getOpenedAt().toEpochMilli());
        info.put("modified_time", a.getUpdatedAt().toEpochMilli());
        info.put("analytic", Map.of("uid", a.getRuleId(), "name", a.getRuleName(), "type_id", 1, "type", "Rule"));
        List<String> types = new ArrayList<>();
        for (int g : a.getGuidelines()) {
            types.add("UK CoP guideline " + g);
        }
        info.put("types", types);
        if (a.getMitreTechnique() != null) {
            info.put("attacks", List.of(Map.of("technique", Map.of("uid", a.getMitreTechnique()))));
        }
        f.put("finding_info", info);
        List<Map<String, Object>> resources = new ArrayList<>();
        if (a.getDeviceId() != null) {
            resources.add(Map.of("uid", a.getTenant() + "/" + a.getDeviceId(), "type", "IoT Device",
                    "name", a.getDeviceId()));
        } else if (a.getCohortValue() != null) {
            resources.add(Map.of("uid", a.getCohortDimension() + "=" + a.getCohortValue(), "type", "Cohort"));
        }
        f.put("resources", resources);
        f.put("evidences", List.of(Map.of("data", a.getEvidence())));
        f.put("metadata", Map.of("version", "1.3.0", "tenant_uid", a.getTenant(),
                "product", Map.of("name", "Fleetwarden", "vendor_name", "Fleetwarden", "version", productVersion),
                "uid", a.getAlertId() + "#" + a.getRevision()));
        f.put("unmapped", Map.of("fleetwarden", Map.of("revision", a.getRevision(), "job_status", a.getStatus().name(),
                "triage_state", t == null ? "NEW" : t.getState().name(),
                "resolution", t == null || t.getResolution() == null ? "" : t.getResolution().name())));
        return f;
    }

    /**
     * One triage change as a Detection Finding update (activity 2 Update; 3 Close for a resolve), the
     * alert's current record as context, the analyst as {@code actor.user}, the audit entry (seq, hash,
     * previous hash) under {@code unmapped.fleetwarden.audit}.
     */
    public static Map<String, Object> triageChange(Alert a, io.fleetwarden.dashboard.audit.AuditEntry e, String detail,
                                                   String productVersion, String position) {
        Map<String, Object> f = detectionFinding(a, null, productVersion);
        boolean close = "resolve".equals(e.action());
        int activity = close ? 3 : 2;
        f.put("activity_id", activity);
        f.put("type_uid", 2004 * 100 + activity);
        f.put("time", e.at().toEpochMilli());
        switch (e.action()) {
            case "acknowledge" -> {
                f.put("status_id", 2);
                f.put("status", "In Progress");
            }
            case "resolve" -> {
                f.put("status_id", 4);
                f.put("status", "Resolved");
            }
            case "reopen" -> {
                f.put("status_id", 1);
                f.put("status", "New");
            }
            default -> {
                f.remove("status_id");
                f.remove("status");
            }
        }
        f.put("actor", Map.of("user", Map.of("name", e.actor())));
        if (detail != null) {
            f.put("comment", detail);
        }
        Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) f.get("metadata"));
        meta.put("uid", a.getAlertId() + "#triage#" + e.seq());
        meta.put("tenant_uid", e.scope());
        f.put("metadata", meta);
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("action", e.action());
        audit.put("seq", e.seq());
        audit.put("hash", e.hash());
        audit.put("prev_hash", e.prevHash());
        audit.put("detail_erased", e.detailDigest() != null && detail == null);
        f.put("unmapped", Map.of("fleetwarden", Map.of("audit", audit, "cursor_position", position,
                "revision", a.getRevision())));
        return f;
    }

    /** One alert revision exactly as the job published it (no triage), with its log position. */
    public static Map<String, Object> revision(Alert a, String productVersion, String position) {
        Map<String, Object> f = detectionFinding(a, null, productVersion);
        Map<String, Object> unmapped = new LinkedHashMap<>((Map<String, Object>) ((Map<String, Object>) f.get("unmapped"))
                .get("fleetwarden"));
        unmapped.put("cursor_position", position);
        f.put("unmapped", Map.of("fleetwarden", unmapped));
        return f;
    }
}
