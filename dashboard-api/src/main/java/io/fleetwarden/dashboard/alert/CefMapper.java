package io.fleetwarden.dashboard.alert;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fleetwarden.dashboard.audit.AuditEntry;
import io.fleetwarden.model.Alert;

/**
 * ArcSight Common Event Format (CEF:0) lines for ArcSight, QRadar and other SIEMs:
 * {@code CEF:0|Fleetwarden|Fleetwarden|version|signatureId|name|severity|extensions}. Every value
 * that comes from a device, a job or an analyst is escaped as the CEF specification requires
 * (header: backslash and pipe; extension: backslash, equals sign, CR and LF), so a hostile summary or
 * comment cannot forge fields or a second event.
 */
public final class CefMapper {

    private CefMapper() {
    }

    /** CEF severity 0-10 from the alert severity. */
    static int severity(String s) {
        return switch (s) {
            case "INFO" -> 1;
            case "LOW" -> 3;
            case "MEDIUM" -> 5;
            case "HIGH" -> 8;
            case "CRITICAL" -> 10;
            default -> 0;
        };
    }

    /** One alert revision. */
    public static String alertRevision(Alert a, String version, String position) {
        Map<String, String> ext = new LinkedHashMap<>();
        ext.put("rt", Long.toString(a.getUpdatedAt().toEpochMilli()));
        ext.put("externalId", a.getAlertId());
        ext.put("act", a.getRevision() <= 1 ? "create" : "update");
        ext.put("outcome", a.getStatus().name());
        ext.put("msg", a.getSummary());
        if (a.getDeviceId() != null) {
            ext.put("deviceExternalId", a.getTenant() + "/" + a.getDeviceId());
        }
        common(ext, a.getTenant(), Integer.toString(a.getRevision()), position);
        return line(a.getRuleId(), a.getRuleName(), severity(a.getSeverity().name()), version, ext);
    }

    /** One triage change (an audit entry of the alert's chain) with the alert it belongs to. */
    public static String triageChange(Alert a, AuditEntry e, String detail, String version, String position) {
        Map<String, String> ext = new LinkedHashMap<>();
        ext.put("rt", Long.toString(e.at().toEpochMilli()));
        ext.put("externalId", a.getAlertId());
        ext.put("act", e.action());
        ext.put("suser", e.actor());
        if (detail != null) {
            ext.put("msg", detail);
        }
        if (a.getDeviceId() != null) {
            ext.put("deviceExternalId", a.getTenant() + "/" + a.getDeviceId());
        }
        common(ext, e.scope(), Integer.toString(a.getRevision()), position);
        ext.put("cn1Label", "auditSeq");
        ext.put("cn1", Long.toString(e.seq()));
        ext.put("cs5Label", "auditHash");
        ext.put("cs5", e.hash());
        return line("triage-" + e.action(), "Alert " + e.action() + ": " + a.getRuleName(),
                severity(a.getSeverity().name()), version, ext);
    }

    private static void common(Map<String, String> ext, String tenant, String revision, String position) {
        ext.put("cs1Label", "tenant");
        ext.put("cs1", tenant);
        ext.put("cs2Label", "revision");
        ext.put("cs2", revision);
        ext.put("cs4Label", "cursorPosition");
        ext.put("cs4", position);
    }

    private static String line(String signature, String name, int severity, String version, Map<String, String> ext) {
        StringBuilder b = new StringBuilder("CEF:0|Fleetwarden|Fleetwarden|").append(header(version)).append('|')
                .append(header(signature)).append('|').append(header(name)).append('|').append(severity).append('|');
        boolean first = true;
        for (Map.Entry<String, String> e : ext.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            b.append(first ? "" : " ").append(e.getKey()).append('=').append(extension(e.getValue()));
            first = false;
        }
        return b.toString();
    }

    /** Header field: backslash and pipe escaped; line breaks (not allowed in a header) become spaces. */
    static String header(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    /** Extension value: backslash, equals sign and line breaks escaped. */
    static String extension(String s) {
        return s.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n");
    }
}
