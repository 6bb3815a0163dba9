package io.fleetwarden.jobs.rules;

import static io.fleetwarden.jobs.Events.T0;

import java.util.ArrayList;
import java.util.List;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.detect.BootLoopRules;
import io.fleetwarden.jobs.detect.BootState;
import io.fleetwarden.jobs.detect.DeviceContext;
import io.fleetwarden.jobs.detect.DeviceOutput;
import io.fleetwarden.jobs.detect.DeviceReport;
import io.fleetwarden.jobs.detect.DeviceRule;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.FirmwareRules;
import io.fleetwarden.jobs.detect.FirmwareState;
import io.fleetwarden.jobs.detect.IdentityRules;
import io.fleetwarden.jobs.detect.IdentityState;
import io.fleetwarden.jobs.detect.Lifecycles;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Expect;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Scenario;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * Scenarios of the rules that read lifecycle events ({@code fleet.device-events}): RES-BOOT-001 (boot loop) and
 * FW-UPD-001 counting update-result events; and of CMP-IDENT-003 (identity and model disagree); part of {@link RuleScenarioTest}'s cases.
 */
final class LifecycleScenarios {

    private static final DetectionConfig CFG = DetectionConfig.defaults();
    private static final long MINUTE = 60_000;

    private LifecycleScenarios() {
    }

    static void add(List<Scenario> s) {
        s.add(new Scenario("RES-BOOT-001", "5 boots within 30 min (at threshold)", Expect.OPENS, () -> boots(5, 7 * MINUTE)));
        s.add(new Scenario("RES-BOOT-001", "4 boots (one below)", Expect.NOTHING, () -> boots(4, 7 * MINUTE)));
        s.add(new Scenario("RES-BOOT-001", "5 boots spread over 30 min (not within the window)", Expect.NOTHING,
                () -> boots(5, 7 * MINUTE + 30_000)));
        s.add(new Scenario("RES-BOOT-001", "resolves after the quiet period", Expect.CLEARS, LifecycleScenarios::bootsThenQuiet));
        s.add(new Scenario("FW-UPD-001", "3 FAILED/ROLLED_BACK update-result events within 24 h (at threshold)", Expect.OPENS,
                () -> updateEvents(List.of("FAILED", "ROLLED_BACK", "FAILED"))));
        s.add(new Scenario("FW-UPD-001", "2 failed update-result events (one below)", Expect.NOTHING,
                () -> updateEvents(List.of("FAILED", "FAILED"))));
        s.add(new Scenario("FW-UPD-001", "2 failures reported both in telemetry and as events are not 4", Expect.NOTHING,
                LifecycleScenarios::sameFailuresBothWays));
        s.add(new Scenario("FW-UPD-001", "a SUCCEEDED update-result event resolves the loop", Expect.CLEARS,
                () -> updateEvents(List.of("FAILED", "FAILED", "FAILED", "SUCCEEDED"))));

        // --- CMP-IDENT-003: identity and model disagree (telemetry, but a per-device unit of its own) -------------
        s.add(new Scenario("CMP-IDENT-003", "reports cam-x2 after cam-x1", Expect.OPENS,
                () -> identity(List.of(modelReport(T0, Events.MODEL), modelReport(T0 + 30_000, "cam-x2")))));
        s.add(new Scenario("CMP-IDENT-003", "reports cam-x1 twice", Expect.NOTHING,
                () -> identity(List.of(modelReport(T0, Events.MODEL), modelReport(T0 + 30_000, Events.MODEL)))));
        s.add(new Scenario("CMP-IDENT-003", "runs an image of another model's catalogue", Expect.OPENS,
                () -> identity(List.of(modelReport(T0, Events.MODEL),
                        Events.telemetry("cam-1", T0 + 30_000).setFirmwareImageHash(OTHER_IMAGE).build()))));
        s.add(new Scenario("CMP-IDENT-003", "an image no catalogue knows (CMP-FW-001's case, not this)", Expect.NOTHING,
                () -> identity(List.of(Events.telemetry("cam-1", T0).setFirmwareImageHash("ee" + OTHER_IMAGE.substring(2)).build()))));
        s.add(new Scenario("CMP-IDENT-003", "registered cam-x1, claims cam-x2 from its first report", Expect.OPENS,
                () -> identity(List.of(registeredReport(T0, "cam-x2", "eu-west")))));
        s.add(new Scenario("CMP-IDENT-003", "registered cam-x1 in eu-west, claims exactly that", Expect.NOTHING,
                () -> identity(List.of(registeredReport(T0, Events.MODEL, "eu-west"),
                        registeredReport(T0 + 30_000, Events.MODEL, "eu-west")))));
        s.add(new Scenario("CMP-IDENT-003", "registered in eu-west, claims us-east", Expect.OPENS,
                () -> identity(List.of(registeredReport(T0, Events.MODEL, "us-east")))));
        s.add(new Scenario("CMP-IDENT-003", "registered cam-x1, claim corrected: resolves", Expect.CLEARS,
                () -> identity(List.of(registeredReport(T0, "cam-x2", "eu-west"),
                        registeredReport(T0 + 30_000, Events.MODEL, "eu-west")))));
        s.add(new Scenario("CMP-IDENT-003", "back to its first model: resolves", Expect.CLEARS,
                () -> identity(List.of(modelReport(T0, Events.MODEL), modelReport(T0 + 30_000, "cam-x2"),
                        modelReport(T0 + 60_000, Events.MODEL)))));
    }

    /** An image of model "router-r1" (not the test model). */
    static final String OTHER_IMAGE = "77" + Events.HASH_241.substring(2);

    /** A report of a device the registry holds as {@link Events#MODEL} in eu-west, claiming {@code model}/{@code region}. */
    static io.fleetwarden.model.Telemetry registeredReport(long ts, String model, String region) {
        return Events.telemetry("cam-1", ts).setModel(model).setRegion(region)
                .setBroker(io.fleetwarden.model.BrokerContext.newBuilder(Events.broker("198.51.100.7"))
                        .setRegisteredModel(Events.MODEL).setRegisteredRegion("eu-west").build()).build();
    }

    static io.fleetwarden.model.Telemetry modelReport(long ts, String model) {
        return Events.telemetry("cam-1", ts).setModel(model).build();
    }

    /** The identity unit with the test model's catalog and another model's, whose one release has {@link #OTHER_IMAGE}. */
    static List<Finding> identity(List<io.fleetwarden.model.Telemetry> reports) {
        io.fleetwarden.model.FirmwareCatalogEntry own = Events.catalog("2.5.0", T0 - 30L * 86_400_000L, null);
        io.fleetwarden.model.FirmwareCatalogEntry other = io.fleetwarden.model.FirmwareCatalogEntry.newBuilder().setModel("router-r1")
                .setVendor("Acme").setLatestVersion("2.4.1")
                .setReleases(List.of(new io.fleetwarden.model.FirmwareRelease("2.4.1", java.time.Instant.ofEpochMilli(T0), OTHER_IMAGE)))
                .setEndOfSupport(null).setUpdatedAt(java.time.Instant.ofEpochMilli(T0)).build();
        DeviceContext base = Events.context(own, List.of(), 1);
        DeviceContext ctx = new DeviceContext() {
            @Override
            public io.fleetwarden.model.FirmwareCatalogEntry catalog(String model) {
                return base.catalog(model);
            }

            @Override
            public io.fleetwarden.model.FirmwareCatalogEntry otherModelWithImage(String model, String imageHash) {
                return !model.equals(other.getModel()) && IdentityRules.hasImage(other, imageHash) ? other : null;
            }

            @Override
            public List<io.fleetwarden.model.Advisory> advisories() {
                return List.of();
            }

            @Override
            public long referenceVersion() {
                return 1;
            }

            @Override
            public io.fleetwarden.jobs.detect.KeyedDigest digest() {
                return Events.DIGEST;
            }
        };
        IdentityRules rules = new IdentityRules();
        IdentityState st = rules.newState();
        List<Finding> out = new ArrayList<>();
        for (io.fleetwarden.model.Telemetry t : reports) {
            rules.onReport(st, DeviceReport.of(t), ctx, out::add);
        }
        return out;
    }

    /** Runs lifecycle events and reports through one unit, in the order given. */
    static <S> List<Finding> run(DeviceRule<S> rule, List<Object> events) {
        S state = rule.newState();
        List<Finding> out = new ArrayList<>();
        DeviceOutput output = out::add;
        DeviceContext ctx = Events.context(null, List.of(), 1);
        for (Object e : events) {
            if (e instanceof DeviceLifecycleEvent l) {
                rule.onLifecycleEvent(state, Lifecycles.read(l), ctx, output);
            } else {
                rule.onReport(state, DeviceReport.of((io.fleetwarden.model.Telemetry) e), ctx, output);
            }
        }
        return out;
    }

    static List<Finding> boots(int n, long spacing) {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(Lifecycles.boot("cam-1", T0 + i * spacing));
        }
        return run(new BootLoopRules(CFG), events);
    }

    static List<Finding> bootsThenQuiet() {
        BootLoopRules rules = new BootLoopRules(CFG);
        BootState st = rules.newState();
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rules.onLifecycleEvent(st, Lifecycles.read(Lifecycles.boot("cam-1", T0 + i * MINUTE)), null, out::add);
        }
        long deadline = rules.nextDeadline(st);
        rules.onDeadline(st, Events.TENANT, "cam-1", deadline, out::add);
        return out;
    }

    static List<Finding> updateEvents(List<String> results) {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            events.add(Lifecycles.updateResult("cam-1", T0 + i * 3_600_000L, results.get(i)));
        }
        return run(new FirmwareRules(CFG), events);
    }

    static List<Finding> sameFailuresBothWays() {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            long ts = T0 + i * 3_600_000L;
            events.add(Events.telemetry("cam-1", ts).setFirmwareImageHash(null)
                    .setUpdate(new UpdateStatus(UpdateState.FAILED, "2.5.0", i + 1, "signature-invalid")).build());
            events.add(Lifecycles.updateResult("cam-1", ts + 1000, "FAILED"));
        }
        return run(new FirmwareRules(CFG), events);
    }
}
