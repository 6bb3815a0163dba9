package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.alerts.DeviceStatusLogic;
import io.fleetwarden.jobs.alerts.DeviceStatusState;
import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.Telemetry;

/**
 * Device-reported values with the same Java {@code hashCode()} ("Aa" and "BB" at the same position) are told apart
 * wherever a rule or the status throttle remembers them: a device that can pick its own values (destinations,
 * image hashes, addresses) must not be able to hide a change behind a collision.
 */
class HashCollisionTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    /** The n-th of two families of strings whose members collide pairwise: {@code a(i).hashCode() == b(i).hashCode()}. */
    private static String a(int i) {
        return "10.9." + i + ".Aa";
    }

    private static String b(int i) {
        return "10.9." + i + ".BB";
    }

    @Test
    void theTestStringsReallyCollide() {
        for (int i = 0; i < 20; i++) {
            assertThat(a(i)).isNotEqualTo(b(i));
            assertThat(a(i).hashCode()).isEqualTo(b(i).hashCode());
        }
    }

    @Test
    void theKeyedDigestTellsCollidingStringsApartAndIsStablePerKey() {
        KeyedDigest d = KeyedDigest.random();
        assertThat(d.of("Aa")).isNotEqualTo(d.of("BB"));
        assertThat(d.of(a(3))).isNotEqualTo(d.of(b(3)));
        assertThat(new KeyedDigest(d.key()).of(a(3))).as("same key, same digest (a restored job)").isEqualTo(d.of(a(3)));
        assertThat(KeyedDigest.random().of(a(3))).as("another key, another digest").isNotEqualTo(d.of(a(3)));
        assertThat(d.of(java.util.Map.of("k", "Aa"))).isNotEqualTo(d.of(java.util.Map.of("k", "BB")));
        assertThat(d.of((String) null)).isNotEqualTo(d.of(""));
    }

    @Test
    void newDestinationsCollidingWithKnownOnesStillCountForCmpNet005() {
        BehaviourRules rules = new BehaviourRules(CFG);
        BehaviourState s = new BehaviourState();
        List<NetworkConnection> known = new ArrayList<>();
        List<NetworkConnection> colliding = new ArrayList<>();
        for (int i = 0; i < CFG.destinationsCount; i++) {
            known.add(new NetworkConnection(a(i), 443, "tcp"));
            colliding.add(new NetworkConnection(b(i), 443, "tcp"));
        }
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i <= CFG.baselineMinSamples; i++) {
            out.addAll(rules.onTelemetry(s, DeviceReport.of(Events.telemetry("cam-1", T0 + i * 30_000L).setConnections(known).build()),
                    Events.DIGEST));
        }
        assertThat(out).as("learning the known destinations").isEmpty();
        out.addAll(rules.onTelemetry(s, DeviceReport.of(Events.telemetry("cam-1", T0 + 30 * 30_000L).setConnections(colliding).build()),
                Events.DIGEST));
        assertThat(out).filteredOn(f -> f.ruleId.equals(RuleCatalogue.NEW_DESTINATIONS.id())).singleElement()
                .satisfies(f -> assertThat(f.evidence).containsEntry("newDestinations", String.valueOf(CFG.destinationsCount)));
    }

    @Test
    void aSecondImageHashCollidingWithTheFirstIsReportedAsNewEvidence() {
        FirmwareCatalogEntry catalog = Events.catalog("2.4.1", T0 - 10 * Events.DAY, null);
        String first = "Aa" + "0".repeat(62);
        String second = "BB" + "0".repeat(62);
        assertThat(first.hashCode()).isEqualTo(second.hashCode());
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState s = new FirmwareState();
        DeviceContext ctx = Events.context(catalog, List.of(), 1);
        List<Finding> one = rules.onTelemetry(s, report(T0, first), ctx);
        List<Finding> two = rules.onTelemetry(s, report(T0 + 30_000, second), ctx);
        assertThat(one).filteredOn(f -> f.ruleId.equals(RuleCatalogue.IMAGE_HASH_MISMATCH.id())).singleElement()
                .satisfies(f -> assertThat(f.evidence).containsEntry("reportedSha256", first));
        assertThat(two).as("new evidence, though its map has the same hashCode").filteredOn(f -> f.ruleId.equals(
                RuleCatalogue.IMAGE_HASH_MISMATCH.id())).singleElement().satisfies(f -> assertThat(f.evidence).containsEntry("reportedSha256", second));
    }

    private static DeviceReport report(long ts, String imageHash) {
        Telemetry t = Events.telemetry("cam-1", ts).setFirmwareVersion("2.4.1").setFirmwareImageHash(imageHash).build();
        return DeviceReport.of(t);
    }

    @Test
    void theDeviceStatusIsRepublishedWhenTheSourceAddressChangesToACollidingOne() {
        DeviceStatusLogic logic = new DeviceStatusLogic(CFG.statusRefreshMs);
        DeviceStatusState s = new DeviceStatusState();
        StatusSignal one = StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0).setBroker(Events.broker(a(1))).build()));
        StatusSignal two = StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0 + 1000).setBroker(Events.broker(b(1))).build()));
        assertThat(logic.onSignal(s, one)).isPresent();
        assertThat(logic.onSignal(s, two)).as("a changed address within the refresh interval is published")
                .hasValueSatisfying(st -> assertThat(st.getSourceAddress()).isEqualTo(b(1)));
        StatusSignal three = StatusSignal.of(DeviceReport.of(Events.telemetry("cam-1", T0 + 2000).setBroker(Events.broker(b(1))).build()));
        assertThat(logic.onSignal(s, three)).as("nothing changed: throttled").isEmpty();
    }
}
