package io.fleetwarden.jobs.detect;

import static io.fleetwarden.jobs.Events.DAY;
import static io.fleetwarden.jobs.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Severity;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.UpdateState;
import io.fleetwarden.model.UpdateStatus;

/**
 * The firmware rules skip the evaluation of a report that changes nothing they read (see
 * {@link FirmwareRules#onTelemetry}); these tests prove the skip never changes a finding: time thresholds
 * crossed by otherwise identical reports, and a long random stream compared with always evaluating.
 */
class FirmwareRulesMemoTest {

    private static final DetectionConfig CFG = DetectionConfig.defaults();

    /** Passes reference data as the operator does: a new version whenever another catalog entry or advisory list is passed. */
    private final Refs refs = new Refs();

    static final class Refs {
        private Object catalog = this;
        private Object advisories = this;
        private long version;

        List<Finding> on(FirmwareRules rules, FirmwareState s, Telemetry t, FirmwareCatalogEntry c, List<Advisory> a) {
            if (c != catalog || a != advisories) {
                catalog = c;
                advisories = a;
                version++;
            }
            return rules.onTelemetry(s, DeviceReport.of(t), Events.context(c, a, version));
        }
    }

    @Test
    void identicalReportsOpenBehindLatestExactlyWhenTheGracePeriodEnds() {
        long released = T0;
        FirmwareCatalogEntry catalog = Events.catalog("2.5.0", released, null);
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState s = new FirmwareState();
        assertThat(refs.on(rules, s, tel(released + 1000, "2.4.1"), catalog, List.of())).isEmpty();
        assertThat(refs.on(rules, s, tel(released + CFG.firmwareGraceMs - 1, "2.4.1"), catalog, List.of())).isEmpty();
        assertThat(refs.on(rules, s, tel(released + CFG.firmwareGraceMs, "2.4.1"), catalog, List.of()))
                .extracting(f -> f.ruleId).containsExactly("FW-VER-001");
        assertThat(refs.on(rules, s, tel(released + CFG.firmwareGraceMs + 30_000, "2.4.1"), catalog, List.of()))
                .as("then skipped: nothing changed").isEmpty();
        assertThat(refs.on(rules, s, tel(released + CFG.firmwareGraceMs - 30_000, "2.4.1"), catalog, List.of()))
                .as("an out-of-order report from before the threshold is evaluated, as without the memo")
                .extracting(f -> f.action).containsExactly(Finding.Action.CLEAR);
    }

    @Test
    void identicalReportsOpenTheCertificateWarningExactlyWhenItStarts() {
        long notAfter = T0 + 400 * DAY;
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState s = new FirmwareState();
        long warnFrom = notAfter - CFG.certificateWarnMs + 1;
        assertThat(refs.on(rules, s, cert(tel(T0, "2.4.1"), notAfter), null, List.of())).isEmpty();
        assertThat(refs.on(rules, s, cert(tel(warnFrom - 1, "2.4.1"), notAfter), null, List.of())).isEmpty();
        assertThat(refs.on(rules, s, cert(tel(warnFrom, "2.4.1"), notAfter), null, List.of()))
                .extracting(f -> f.ruleId).containsExactly("FW-CERT-001");
    }

    @Test
    void aNewCatalogOrAdvisoryListPassedWithAnUnchangedReportIsEvaluated() {
        FirmwareRules rules = new FirmwareRules(CFG);
        FirmwareState s = new FirmwareState();
        assertThat(refs.on(rules, s, tel(T0, "2.4.1"), Events.catalog("2.4.1", T0 - 300 * DAY, null), List.of())).isEmpty();
        assertThat(refs.on(rules, s, tel(T0 + 30_000, "2.4.1"), Events.catalog("2.4.1", T0 - 300 * DAY, T0), List.of()))
                .extracting(f -> f.ruleId).containsExactly("FW-EOS-001");
        assertThat(refs.on(rules, s, tel(T0 + 60_000, "2.4.1"), Events.catalog("2.4.1", T0 - 300 * DAY, T0),
                List.of(Events.advisory("FWSA-1", "[2.0.0,2.5.0)", Severity.HIGH))))
                .extracting(f -> f.ruleId).containsExactly("FW-ADV-001");
    }

    @Test
    void aLongRandomStreamGivesExactlyTheFindingsOfAlwaysEvaluating() {
        Random r = new Random(42);
        List<FirmwareCatalogEntry> catalogs = List.of(Events.catalog("2.5.0", T0 + 2 * DAY, null),
                Events.catalog("2.5.0", T0 - 40 * DAY, T0 + 5 * DAY), Events.catalog("2.4.1", T0 - 300 * DAY, null));
        List<List<Advisory>> advisories = List.of(List.of(), List.of(Events.advisory("FWSA-2", "[2.0.0,2.4.5)", Severity.CRITICAL)));
        String[] versions = {"2.4.1", "2.4.1", "2.4.1", "2.3.0", "2.5.0", "bogus"};
        FirmwareRules memo = new FirmwareRules(CFG);
        FirmwareRules always = new FirmwareRules(CFG);
        FirmwareState a = new FirmwareState();
        FirmwareState b = new FirmwareState();
        FirmwareCatalogEntry catalog = catalogs.get(0);
        List<Advisory> advisoryList = advisories.get(0);
        long ts = T0;
        int findings = 0;
        for (int i = 0; i < 20_000; i++) {
            ts += r.nextInt(10) == 0 ? -r.nextInt(600_000) : r.nextInt(3_600_000); // mostly forward, sometimes out of order
            if (r.nextInt(500) == 0) {
                catalog = catalogs.get(r.nextInt(catalogs.size()));
            }
            if (r.nextInt(500) == 0) {
                advisoryList = advisories.get(r.nextInt(advisories.size()));
            }
            Telemetry.Builder t = Events.telemetry("cam-1", ts).setFirmwareVersion(versions[r.nextInt(20) == 0 ? r.nextInt(versions.length) : 0]);
            if (r.nextInt(50) == 0) {
                t.setFirmwareImageHash("ff" + Events.HASH_241.substring(2));
            }
            if (r.nextInt(30) == 0) {
                t.setUpdate(new UpdateStatus(r.nextBoolean() ? UpdateState.FAILED : UpdateState.SUCCEEDED, "2.5.0", r.nextInt(4), null));
            }
            t.setBroker(Events.broker("198.51.100.7"));
            t.getBroker().setCertificateNotAfter(Instant.ofEpochMilli(T0 + (r.nextInt(100) == 0 ? 20 : 200) * DAY));
            Telemetry report = t.build();
            b.validUntil = Long.MIN_VALUE; // defeat the memo: evaluate every report
            List<Finding> expected = refs.on(always, b, report, catalog, advisoryList);
            List<Finding> actual = refs.on(memo, a, report, catalog, advisoryList);
            assertThat(actual).as("report %d at %d", i, ts).isEqualTo(expected);
            assertThat(a.open).isEqualTo(b.open);
            findings += expected.size();
        }
        assertThat(findings).as("the stream exercises the rules").isGreaterThan(100);
    }

    private static Telemetry tel(long ts, String version) {
        return Events.telemetry("cam-1", ts).setFirmwareVersion(version).setFirmwareImageHash(null).build();
    }

    private static Telemetry cert(Telemetry t, long notAfter) {
        t.getBroker().setCertificateNotAfter(Instant.ofEpochMilli(notAfter));
        return t;
    }
}
