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

    /** The broker's view of a connection: TLS 1.3 with an AEAD suite and a certificate valid until {@code notAfter}. */
    public static io.fleetwarden.model.BrokerContext broker(String protocol, String cipher, Instant notAfter) {
        return io.fleetwarden.model.BrokerContext.newBuilder().setBrokerId("broker-1").setSourceAddress("198.51.100.7")
                .setSourcePort(40000).setTlsProtocol(protocol).setTlsCipher(cipher).setCertificateFingerprint("ab")
                .setCertificateSerial("01").setCertificateNotAfter(notAfter).setMqttVersion("V_5").build();
    }

    /** A telemetry report received by the broker at {@code receivedAt}. */
    public static io.fleetwarden.model.Telemetry.Builder telemetry(String tenant, String device, String model, String firmware,
                                                                  Instant receivedAt) {
        return io.fleetwarden.model.Telemetry.newBuilder().setTenant(tenant).setDeviceId(device).setModel(model)
                .setRegion("eu-west").setDeviceTime(receivedAt).setReceivedAt(receivedAt).setFirmwareVersion(firmware)
                .setFirmwareImageHash(null).setUptimeSeconds(100).setCpuPercent(5).setMemoryPercent(20)
                .setIntervalSeconds(10).setBytesIn(1).setBytesOut(1).setPacketsIn(1).setPacketsOut(1)
                .setListeningPorts(List.of(443)).setConnections(List.of()).setUpdate(null)
                .setBroker(broker("TLSv1.3", "TLS_AES_128_GCM_SHA256", receivedAt.plusSeconds(365L * 86_400)))
                .setQuarantined(false);
    }

    /** A security event seen by the broker at {@code at} for a verified device (tenant/device null = unverified). */
    public static io.fleetwarden.model.SecurityEvent.Builder securityEvent(io.fleetwarden.model.SecurityEventType type,
                                                                          String reason, String tenant, String device,
                                                                          Instant at) {
        return io.fleetwarden.model.SecurityEvent.newBuilder().setEventId(java.util.UUID.randomUUID().toString())
                .setType(type).setTimestamp(at).setTenant(tenant).setDeviceId(device).setClaimedClientId(device)
                .setModel("cam-x1").setRegion("eu-west").setReason(reason).setDetail(null).setTopic(null).setUsername(null)
                .setBroker(broker("TLSv1.3", "TLS_AES_128_GCM_SHA256", at.plusSeconds(365L * 86_400)))
                .setAttributes(Map.of());
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
