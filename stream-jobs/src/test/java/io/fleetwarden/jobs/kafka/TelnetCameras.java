package io.fleetwarden.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.fleetwarden.jobs.Events;
import io.fleetwarden.jobs.testing.DetectionJobRun;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.testsupport.KafkaEndpoint;

/**
 * The scenario of the fail-over ITs: Telnet (port 23) appears on cameras {@code cam-<n>}, and each camera's
 * CMP-NET-001 must open exactly once however often the job or Kafka fails in between.
 */
final class TelnetCameras {

    static final String RULE = "CMP-NET-001";

    private TelnetCameras() {
    }

    /** Telnet appears on the given devices (of tenant {@code tenant}), 5 reports each, 30 s apart from {@code start}. */
    static void produce(KafkaEndpoint kafka, String tenant, int fromDevice, int toDevice, long start) {
        try (var p = DetectionJobRun.producer(kafka)) {
            for (int step = 0; step < 5; step++) {
                for (int d = fromDevice; d < toDevice; d++) {
                    Telemetry t = Events.telemetry("cam-" + d, start + step * 30_000L + d).setTenant(tenant)
                            .setListeningPorts(List.of(80, 23)).build();
                    p.send(DetectionJobRun.telemetry(t));
                }
            }
            p.flush();
        }
    }

    /** The devices with a CMP-NET-001 revision among {@code alerts}. */
    static Set<String> alertedDevices(List<Alert> alerts) {
        Set<String> devices = new HashSet<>();
        alerts.stream().filter(a -> a.getRuleId().equals(RULE)).forEach(a -> devices.add(a.getDeviceId()));
        return devices;
    }

    /** No alert revision twice, and CMP-NET-001 opened (revision 1) exactly once for each of {@code devices} devices. */
    static void assertOpenedOnceEach(List<Alert> all, int devices) {
        Set<String> seen = new HashSet<>();
        for (Alert a : all) {
            assertThat(seen.add(a.getAlertId() + "#" + a.getRevision())).as("duplicate revision %s", a).isTrue();
        }
        Map<String, Long> opensPerDevice = new TreeMap<>();
        all.stream().filter(a -> a.getRuleId().equals(RULE) && a.getRevision() == 1)
                .forEach(a -> opensPerDevice.merge(a.getDeviceId(), 1L, Long::sum));
        assertThat(opensPerDevice).hasSize(devices).allSatisfy((d, n) -> assertThat(n).as(d).isEqualTo(1L));
    }
}
