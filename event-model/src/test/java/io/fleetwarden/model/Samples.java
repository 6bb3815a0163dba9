package io.fleetwarden.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fixed sample records, one per type. Golden files pin their encoding, so never change a value here. */
public final class Samples {

    public static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");

    private Samples() {
    }

    public static BrokerContext broker() {
        return BrokerContext.newBuilder()
                .setBrokerId("broker-1")
                .setSourceAddress("198.51.100.7")
                .setSourcePort(50432)
                .setTlsProtocol("TLSv1.3")
                .setTlsCipher("TLS_AES_128_GCM_SHA256")
                .setCertificateFingerprint("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .setCertificateSerial("1a2b3c")
                .setCertificateNotAfter(Instant.parse("2027-11-01T00:00:00Z"))
                .setMqttVersion("V_5")
                .setRegisteredModel("cam-x1")
                .setRegisteredRegion("eu-west")
                .build();
    }

    public static Telemetry telemetry() {
        return Telemetry.newBuilder()
                .setTenant("acme")
                .setDeviceId("cam-000042")
                .setModel("cam-x1")
                .setRegion("eu-west")
                .setDeviceTime(T0)
                .setReceivedAt(T0.plusMillis(35))
                .setFirmwareVersion("2.4.1")
                .setFirmwareImageHash("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
                .setUptimeSeconds(86_400)
                .setCpuPercent(12.5)
                .setMemoryPercent(41.0)
                .setIntervalSeconds(30)
                .setBytesIn(12_000)
                .setBytesOut(48_000)
                .setPacketsIn(90)
                .setPacketsOut(160)
                .setListeningPorts(List.of(80, 443))
                .setConnections(List.of(new NetworkConnection("203.0.113.10", 443, "tcp"),
                        new NetworkConnection("203.0.113.11", 8883, "tcp")))
                .setUpdate(new UpdateStatus(UpdateState.IDLE, null, 0, null))
                .setBroker(broker())
                .setQuarantined(false)
                .build();
    }

    public static SecurityEvent securityEvent() {
        return SecurityEvent.newBuilder()
                .setEventId("00000000-0000-4000-8000-000000000001")
                .setType(SecurityEventType.AUTHORIZATION_FAILURE)
                .setTimestamp(T0)
                .setTenant("acme")
                .setDeviceId("cam-000042")
                .setClaimedClientId("cam-000042")
                .setModel("cam-x1")
                .setRegion("eu-west")
                .setReason(SecurityEventReasons.TOPIC_NOT_PERMITTED)
                .setDetail("publish to devices/cam-000043/telemetry is outside the device's namespace")
                .setTopic("devices/cam-000043/telemetry")
                .setUsername(null)
                .setBroker(broker())
                .setAttributes(Map.of("mqttReasonCode", "0x87"))
                .build();
    }

    public static Alert alert() {
        return Alert.newBuilder()
                .setAlertId("a-3f2c9d")
                .setRevision(2)
                .setRuleId("CMP-NET-001")
                .setRuleName("Telnet port opened")
                .setSeverity(Severity.CRITICAL)
                .setTenant("acme")
                .setDeviceId("cam-000042")
                .setCohortDimension(null)
                .setCohortValue(null)
                .setStatus(AlertStatus.OPEN)
                .setSummary("cam-000042 listens on 23/tcp, which cam-x1 never does")
                .setEvidence(new java.util.TreeMap<>(Map.of("port", "23", "model", "cam-x1")))
                .setGuidelines(List.of(6, 10))
                .setMitreTechnique("T1059")
                .setParentAlertId(null)
                .setResolution(null)
                .setOpenedAt(T0)
                .setUpdatedAt(T0.plusSeconds(30))
                .setResolvedAt(null)
                .build();
    }

    public static DeviceControl deviceControl() {
        return DeviceControl.newBuilder()
                .setControlId("00000000-0000-4000-8000-000000000002")
                .setTenant("acme")
                .setDeviceId("cam-000042")
                .setAction(ControlAction.QUARANTINE)
                .setQuarantined(true)
                .setRevoked(false)
                .setRevokedCertificateSerials(List.of())
                .setReason("botnet indicators")
                .setIssuedBy("analyst@acme")
                .setIssuedAt(T0)
                .build();
    }

    public static FirmwareCatalogEntry firmwareCatalogEntry() {
        return FirmwareCatalogEntry.newBuilder()
                .setModel("cam-x1")
                .setVendor("Acme Optics")
                .setLatestVersion("2.5.0")
                .setReleases(List.of(
                        new FirmwareRelease("2.4.1", Instant.parse("2026-03-01T00:00:00Z"),
                                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
                        new FirmwareRelease("2.5.0", Instant.parse("2026-09-01T00:00:00Z"),
                                "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7")))
                .setEndOfSupport(Instant.parse("2029-01-01T00:00:00Z"))
                .setUpdatedAt(T0)
                .build();
    }

    public static Advisory advisory() {
        return Advisory.newBuilder()
                .setAdvisoryId("FWSA-2026-0001")
                .setModel("cam-x1")
                .setAffectedVersions("[2.0.0,2.5.0)")
                .setFixedVersion("2.5.0")
                .setCveIds(List.of("CVE-2026-12345"))
                .setSeverity(Severity.HIGH)
                .setTitle("Authentication bypass in the local web UI")
                .setDescription("An unauthenticated attacker on the LAN can change settings.")
                .setPublishedAt(T0)
                .setWithdrawn(false)
                .build();
    }

    public static DeviceLifecycleEvent deviceLifecycleEvent() {
        return DeviceLifecycleEvent.newBuilder()
                .setEventId("7d3c1a52-0b9e-4c1f-9a51-2f1de7a0c0de")
                .setTenant("acme").setDeviceId("cam-000042").setType(DeviceEventType.UPDATE_RESULT)
                .setDeviceTime(T0).setReceivedAt(T0.plusMillis(35))
                .setFromVersion("2.4.1").setToVersion("2.5.0").setUpdateResult("FAILED")
                .setFailureReason("signature check failed").setDetail("retry 3 of 3")
                .setBroker(broker())
                .build();
    }

    public static DeviceStatus deviceStatus() {
        return DeviceStatus.newBuilder()
                .setTenant("acme")
                .setDeviceId("cam-000042")
                .setModel("cam-x1")
                .setRegion("eu-west")
                .setFirmwareVersion("2.4.1")
                .setBrokerId("broker-1")
                .setSourceAddress("198.51.100.7")
                .setConnected(true)
                .setLastSeen(T0)
                .setCertificateNotAfter(Instant.parse("2027-11-01T00:00:00Z"))
                .setRiskScore(70)
                .setOpenAlertRuleIds(List.of("CMP-NET-001"))
                .setFailingGuidelines(List.of(6, 10))
                .setUpdatedAt(T0)
                .build();
    }
}
