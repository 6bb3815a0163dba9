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
import io.fleetwarden.jobs.detect.Lifecycles;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Expect;
import io.fleetwarden.jobs.rules.RuleScenarioTest.Scenario;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * Scenarios of the rules that read lifecycle events ({@code fleet.device-events}): RES-BOOT-001 (boot loop) and
 * FW-UPD-001 counting update-result events; part of {@link RuleScenarioTest}'s cases.
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
