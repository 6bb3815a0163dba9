package io.fleetwarden.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fleetwarden.jobs.detect.KeyedDigest;
import io.fleetwarden.jobs.detect.DeviceContext;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/** Builders of realistic input records for tests and the benchmark. */
public final class Events {

    /** A keyed digest for rules under test (a random key, as a job's). */
    public static final KeyedDigest DIGEST = KeyedDigest.random();

    /** A fixed rule context: this catalog entry, these advisories, this reference version, {@link #DIGEST}. */
    public static DeviceContext context(FirmwareCatalogEntry catalog, List<Advisory> advisories, long referenceVersion) {
        return DeviceContext.of(catalog, advisories, referenceVersion, DIGEST);
    }

    public static final long T0 = Instant.parse("2026-11-01T12:00:00Z").toEpochMilli();
    public static final String TENANT = "acme";
    public static final String MODEL = "cam-x1";
    public static final String HASH_241 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    public static final long DAY = 86_400_000L;

    private Events() {
    }

    public static BrokerContext broker(String address) {
        return BrokerContext.newBuilder().setBrokerId("broker-1").setSourceAddress(address).setSourcePort(50432)
                .setTlsProtocol("TLSv1.3").setTlsCipher("TLS_AES_128_GCM_SHA256")
                .setCertificateNotAfter(Instant.ofEpochMilli(T0 + 365 * DAY)).setMqttVersion("V_5").build();
    }

    /** A normal report of {@code device} at {@code ts}. */
    public static Telemetry.Builder telemetry(String device, long ts) {
        return Telemetry.newBuilder()
                .setTenant(TENANT).setDeviceId(device).setModel(MODEL).setRegion("eu-west")
                .setDeviceTime(Instant.ofEpochMilli(ts)).setReceivedAt(Instant.ofEpochMilli(ts + 20))
                .setFirmwareVersion("2.4.1").setFirmwareImageHash(HASH_241)
                .setUptimeSeconds(86_400).setCpuPercent(12.5).setMemoryPercent(41.0).setIntervalSeconds(30)
                .setBytesIn(12_000).setBytesOut(300_000).setPacketsIn(90).setPacketsOut(160)
                .setListeningPorts(List.of(80, 443))
                .setConnections(connections(3, 0))
                .setUpdate(new UpdateStatus(UpdateState.IDLE, null, 0, null))
                .setBroker(broker("198.51.100.7")).setQuarantined(false);
    }

    /** {@code n} distinct outbound connections numbered from {@code first}. */
    public static List<NetworkConnection> connections(int n, int first) {
        List<NetworkConnection> out = new ArrayList<>();
        for (int i = first; i < first + n; i++) {
            out.add(new NetworkConnection("203.0." + (i / 250) + "." + (i % 250 + 1), 443, "tcp"));
        }
        return out;
    }

    public static SecurityEvent.Builder security(SecurityEventType type, String reason, long ts, String device, String address) {
        return SecurityEvent.newBuilder()
                .setEventId(UUID.nameUUIDFromBytes((type + reason + ts + device + address).getBytes()).toString())
                .setType(type).setTimestamp(Instant.ofEpochMilli(ts))
                .setTenant(device == null ? null : TENANT).setDeviceId(device).setClaimedClientId(device)
                .setModel(device == null ? null : MODEL).setRegion(device == null ? null : "eu-west")
                .setReason(reason).setDetail(null).setTopic(null).setUsername(null)
                .setBroker(broker(address)).setAttributes(Map.of());
    }

    /** An authentication failure without verified identity, claiming {@code claimed}. */
    public static SecurityEvent authFailure(String claimed, String address, long ts) {
        return security(SecurityEventType.AUTHENTICATION_FAILURE, "certificate-untrusted", ts, null, address)
                .setClaimedClientId(claimed).build();
    }

    public static FirmwareCatalogEntry catalog(String latest, long latestReleasedAt, Long endOfSupport) {
        return FirmwareCatalogEntry.newBuilder().setModel(MODEL).setVendor("Acme")
                .setLatestVersion(latest)
                .setReleases(List.of(new FirmwareRelease("2.4.1", Instant.ofEpochMilli(T0 - 200 * DAY), HASH_241),
                        new FirmwareRelease(latest, Instant.ofEpochMilli(latestReleasedAt),
                                "aa" + HASH_241.substring(2))))
                .setEndOfSupport(endOfSupport == null ? null : Instant.ofEpochMilli(endOfSupport))
                .setUpdatedAt(Instant.ofEpochMilli(T0)).build();
    }

    public static Advisory advisory(String id, String range, Severity severity) {
        return Advisory.newBuilder().setAdvisoryId(id).setModel(MODEL).setAffectedVersions(range)
                .setFixedVersion("2.5.0").setCveIds(List.of("CVE-2026-1234")).setSeverity(severity)
                .setTitle("Remote code execution in web UI").setDescription(null)
                .setPublishedAt(Instant.ofEpochMilli(T0)).setWithdrawn(false).build();
    }
}
