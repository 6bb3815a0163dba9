package io.fleetwarden.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.AlertStatus;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.Severity;

/** Builders of the records the stream jobs would publish, with sensible defaults. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Alert alert(String id, String tenant, String device, String rule, Severity severity, Instant openedAt) {
        return Alert.newBuilder().setAlertId(id).setRevision(1).setRuleId(rule).setRuleName("Rule " + rule)
                .setSeverity(severity).setTenant(tenant).setDeviceId(device).setCohortDimension(null)
                .setCohortValue(null).setStatus(AlertStatus.OPEN).setSummary("summary of " + id)
                .setEvidence(Map.of("failures", "12", "sourceAddress", "198.51.100.7")).setGuidelines(List.of(1, 5))
                .setMitreTechnique("T1110").setParentAlertId(null).setResolution(null).setOpenedAt(openedAt)
                .setUpdatedAt(openedAt).setResolvedAt(null).build();
    }

    public static Alert resolvedByJob(Alert a, Instant at) {
        return Alert.newBuilder(a).setRevision(a.getRevision() + 1).setStatus(AlertStatus.RESOLVED)
                .setResolution("condition-cleared").setUpdatedAt(at).setResolvedAt(at).build();
    }

    public static DeviceStatus device(String tenant, String id, String model, String firmware, Instant lastSeen) {
        return DeviceStatus.newBuilder().setTenant(tenant).setDeviceId(id).setModel(model).setRegion("eu-west")
                .setFirmwareVersion(firmware).setBrokerId("broker-1").setSourceAddress("198.51.100.7")
                .setConnected(true).setLastSeen(lastSeen).setCertificateNotAfter(null).setRiskScore(40)
                .setOpenAlertRuleIds(List.of()).setFailingGuidelines(List.of()).setUpdatedAt(lastSeen).build();
    }

    /** Configuration for tests: loopback, free port, security.txt configured. */
    public static DashboardConfig config(String kafka, String influx, String... extra) {
        Properties p = new Properties();
        p.setProperty("http.host", "127.0.0.1");
        p.setProperty("http.port", "0");
        if (kafka != null) {
            p.setProperty("kafka.bootstrap-servers", kafka);
        }
        if (influx != null) {
            p.setProperty("influx.url", influx);
        }
        p.setProperty("influx.database", TestInflux.DATABASE);
        p.setProperty("securitytxt.contact", "mailto:security@example.org");
        p.setProperty("securitytxt.expires", "2030-01-01T00:00:00Z");
        p.setProperty("securitytxt.policy", "https://example.org/disclosure");
        p.setProperty("securitytxt.preferred-languages", "en");
        p.setProperty("disclosure.max-report-bytes", "2048");
        p.setProperty("disclosure.reports-per-minute", "3");
        p.setProperty("autoquarantine.rules", "FW-COMP-009");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            p.setProperty(extra[i], extra[i + 1]);
        }
        return DashboardConfig.from(p);
    }
}
