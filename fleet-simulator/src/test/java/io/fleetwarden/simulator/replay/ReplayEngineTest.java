package io.fleetwarden.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.simulator.scenario.GroundTruthRecord;
import io.fleetwarden.simulator.score.GroundTruth;
import io.fleetwarden.simulator.score.TruthScenario;

class ReplayEngineTest {

    /** From a Tuesday midnight: edge-1's weekly maintenance (Tuesday 02:00 UTC) falls inside. */
    static final ReplayOptions OPTIONS = new ReplayOptions(7, 200, Duration.ofHours(12), "acme", java.time.Instant.parse("2026-01-06T00:00:00Z"), 2,
            Duration.ofMinutes(2), ReplayKind.parseAttacks("all"), 1);

    static Recorder first;
    static Replay.Result firstResult;

    /** Keeps a digest of every record and the facts the tests look at. */
    static final class Recorder implements ReplayEngine.Sink {
        final MessageDigest digest;
        long lastBrokerTime = Long.MIN_VALUE;
        boolean ordered = true;
        long maxSkewMs;
        long telemetry;
        final Map<String, Integer> connects = new HashMap<>();
        final List<SecurityEvent> security = new ArrayList<>();
        final Set<String> addressesOfDevice = new HashSet<>();
        final Map<String, Set<String>> devicesPerAddress = new HashMap<>();

        Recorder() throws Exception {
            digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public void telemetry(Telemetry t) {
            long broker = t.getReceivedAt().toEpochMilli();
            ordered &= broker >= lastBrokerTime;
            lastBrokerTime = broker;
            maxSkewMs = Math.max(maxSkewMs, Math.abs(t.getDeviceTime().toEpochMilli() - broker));
            digest.update(Codecs.TELEMETRY.encode(t));
            telemetry++;
            devicesPerAddress.computeIfAbsent(t.getBroker().getSourceAddress(), a -> new HashSet<>()).add(t.getDeviceId());
        }

        @Override
        public void securityEvent(SecurityEvent e) {
            long broker = e.getTimestamp().toEpochMilli();
            ordered &= broker >= lastBrokerTime;
            lastBrokerTime = broker;
            digest.update(Codecs.SECURITY_EVENT.encode(e));
            security.add(e);
            if (e.getType() == SecurityEventType.CONNECT) {
                connects.merge(e.getDeviceId(), 1, Integer::sum);
            }
        }

        String hash() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    @BeforeAll
    static void replayOnce() throws Exception {
        first = new Recorder();
        firstResult = Replay.simulate(OPTIONS, first);
    }

    @Test
    void sameSeedSameRecordsAnotherSeedOthers() throws Exception {
        Recorder again = new Recorder();
        Replay.Result r = Replay.simulate(OPTIONS, again);
        assertThat(again.hash()).isEqualTo(first.hash());
        assertThat(r.groundTruth()).isEqualTo(firstResult.groundTruth());
        Recorder same = new Recorder();
        Replay.simulate(new ReplayOptions(7, 200, Duration.ofHours(2), "acme", ReplayOptions.DEFAULT_START, 2,
                Duration.ofMinutes(2), ReplayKind.parseAttacks("all"), 1), same);
        Recorder other = new Recorder();
        Replay.simulate(new ReplayOptions(8, 200, Duration.ofHours(2), "acme", ReplayOptions.DEFAULT_START, 2,
                Duration.ofMinutes(2), ReplayKind.parseAttacks("all"), 1), other);
        assertThat(other.hash()).isNotEqualTo(same.hash());
    }

    @Test
    void brokerTimeOrderedAndDeviceClocksInsideTheSkewWindow() {
        assertThat(first.ordered).isTrue();
        assertThat(first.maxSkewMs).isLessThanOrEqualTo(OPTIONS.maxClockSkew().toMillis());
        assertThat(first.maxSkewMs).as("some clocks drift far (tens of seconds)").isGreaterThan(30_000);
        // real report intervals: ~200 devices x 12 h at 10-20 s
        assertThat(first.telemetry).isBetween(200L * 12 * 3600 / 20, 210L * 12 * 3600 / 9);
        assertThat(firstResult.deviceHours()).isBetween(190.0 * 12, 210.0 * 12);
    }

    @Test
    void everyAttackKindIsPlayedWithExpectedRulesAndBenignLifeExpectsNothing() {
        GroundTruth truth = GroundTruth.of(firstResult.groundTruth());
        Set<String> attackKinds = new HashSet<>();
        for (TruthScenario s : truth.scenarios()) {
            if (s.attack()) {
                attackKinds.add(s.type());
                assertThat(s.expectedRules()).as(s.id()).isNotEmpty();
                assertThat(s.devices().isEmpty() && s.cohort().isEmpty()).as(s.id() + " has a subject").isFalse();
                assertThat(s.end()).as(s.id()).isAfterOrEqualTo(s.start());
            } else {
                assertThat(s.expectedRules()).as(s.id()).isEmpty();
            }
        }
        assertThat(attackKinds).containsExactlyInAnyOrderElementsOf(
                ReplayKind.parseAttacks("all").stream().map(ReplayKind::id).toList());
        Set<String> benign = new HashSet<>();
        truth.scenarios().stream().filter(s -> !s.attack()).forEach(s -> benign.add(s.type()));
        assertThat(benign).contains("reboot", "blip", "address-move", "firmware-rollout", "maintenance", "join", "decommission", "clock-drift");
        assertThat(firstResult.groundTruth().get(0).timeBase()).isEqualTo(GroundTruthRecord.EVENT_TIME);
    }

    @Test
    void firmwareAndResourceRulesAreExpectedFromWhatTheAttackDoesToTheDevice() {
        ReplayOptions o = new ReplayOptions(42, 200, Duration.ofHours(24), "acme", ReplayOptions.DEFAULT_START, 2,
                Duration.ofMinutes(2), ReplayKind.parseAttacks("firmware-downgrade,botnet"), 8);
        Map<String, String> lastFirmware = new HashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        Replay.Result r = Replay.simulate(o, new ReplayEngine.Sink() {
            @Override
            public void telemetry(Telemetry t) {
                lastFirmware.put(t.getDeviceId(), t.getFirmwareVersion());
                modelOf.put(t.getDeviceId(), t.getModel());
            }

            @Override
            public void securityEvent(SecurityEvent e) {
            }
        });
        Map<String, io.fleetwarden.model.FirmwareCatalogEntry> catalog = new HashMap<>();
        Replay.catalog(o).forEach(e -> catalog.put(e.getModel(), e));
        long end = o.start().plus(o.duration()).toEpochMilli();
        long grace = Duration.ofDays(io.fleetwarden.simulator.model.DeviceModels.UPDATE_GRACE_DAYS).toMillis();
        java.util.regex.Pattern cpu = java.util.regex.Pattern.compile("cpu \\+(\\d+) points");
        int behind = 0, notBehind = 0, abuse = 0, noAbuse = 0;
        for (GroundTruthRecord g : r.groundTruth()) {
            if (!"scenario-start".equals(g.type())) {
                continue;
            }
            String device = g.devices().get(0);
            if ("firmware-downgrade".equals(g.scenario())) {
                // The platform's one definition of behind, against the catalogue the job gets: FW-VER-001 is true on the device.
                boolean isBehind = io.fleetwarden.model.firmware.FirmwareCurrency.isBehind(lastFirmware.get(device),
                        catalog.get(modelOf.get(device)), end, grace);
                assertThat(g.expectedRules().contains("FW-VER-001")).as(g.note()).isEqualTo(isBehind);
                assertThat(g.expectedRules()).as(g.note()).contains("FW-DOWN-001");
                if (isBehind) {
                    behind++;
                } else {
                    notBehind++;
                }
            } else if ("botnet".equals(g.scenario())) {
                java.util.regex.Matcher m = cpu.matcher(g.note());
                assertThat(m.find()).as(g.note()).isTrue();
                io.fleetwarden.simulator.model.DeviceModel model = io.fleetwarden.simulator.model.DeviceModels.ALL.stream()
                        .filter(x -> x.name().equals(modelOf.get(device))).findFirst().orElseThrow();
                boolean outside = Integer.parseInt(m.group(1)) > io.fleetwarden.simulator.model.TelemetryGenerator.cpuBandWidth(model);
                assertThat(g.expectedRules().contains("CMP-RES-001")).as(g.note() + " on " + model.name()).isEqualTo(outside);
                if (outside) {
                    abuse++;
                } else {
                    noAbuse++;
                }
            }
        }
        assertThat(behind).as("downgrades into a long superseded release").isPositive();
        assertThat(notBehind).as("downgrades into a release still inside its grace").isPositive();
        assertThat(abuse).as("botnets outside their model's band").isPositive();
        assertThat(noAbuse).as("botnets inside it").isPositive();
    }

    @Test
    void devicesShareAddressesBehindNatAndDefaultCredentialAttemptsCarryNoIdentity() {
        assertThat(first.devicesPerAddress.values()).anyMatch(s -> s.size() >= 4);
        assertThat(first.security).filteredOn(e -> e.getType() == SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT)
                .isNotEmpty().allSatisfy(e -> {
                    assertThat(e.getDeviceId()).isNull();
                    assertThat(e.getClaimedClientId()).isNotNull();
                    assertThat(e.getUsername()).isNotNull();
                });
        assertThat(first.security).filteredOn(e -> "certificate-revoked".equals(e.getReason()))
                .isNotEmpty().allSatisfy(e -> assertThat(e.getDeviceId()).isNotNull());
    }

    @Test
    void badOptionsAreRefused() {
        assertThatThrownBy(() -> new ReplayOptions(1, 0, Duration.ofHours(2), "acme", ReplayOptions.DEFAULT_START, 1,
                Duration.ofMinutes(2), List.of(), 1)).hasMessageContaining("devices");
        assertThatThrownBy(() -> new ReplayOptions(1, 10, Duration.ofMinutes(2), "acme", ReplayOptions.DEFAULT_START, 1,
                Duration.ofMinutes(2), List.of(), 1)).hasMessageContaining("duration");
        assertThatThrownBy(() -> new ReplayOptions(1, 10, Duration.ofHours(2), "a/b", ReplayOptions.DEFAULT_START, 1,
                Duration.ofMinutes(2), List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplayKind.parseAttacks("botnet,reboot")).hasMessageContaining("reboot");
    }
}
