package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class DeviceErasureTest {

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheDashboardsRecord() {
        DeviceErasure e = DeviceErasure.parse("acme/cam-1",
                json("{\"tenant\":\"acme\",\"deviceId\":\"cam-1\",\"erasedAt\":\"2026-12-06T01:00:00.123Z\",\"erasedBy\":\"ops\"}"));
        assertThat(e).isEqualTo(new DeviceErasure("acme", "cam-1", Instant.parse("2026-12-06T01:00:00.123Z"), "ops"));
        assertThat(e.key()).isEqualTo("acme/cam-1");
        assertThat(DeviceErasure.parse("acme/cam-1", null)).as("tombstone").isNull();
    }

    @Test
    void refusesHostileOrMalformedRecordsNamingTheProblem() {
        assertThatThrownBy(() -> DeviceErasure.parse("acme/cam-2",
                json("{\"tenant\":\"acme\",\"deviceId\":\"cam-1\",\"erasedAt\":\"2026-12-06T01:00:00Z\"}")))
                .hasMessageContaining("does not match its key");
        assertThatThrownBy(() -> DeviceErasure.parse("_front-door/cam-1",
                json("{\"tenant\":\"_front-door\",\"deviceId\":\"cam-1\",\"erasedAt\":\"2026-12-06T01:00:00Z\"}")))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> DeviceErasure.parse("acme/cam-1", json("{\"tenant\":\"acme\",\"deviceId\":\"cam-1\"}")))
                .hasMessageContaining("no erasedAt");
        assertThatThrownBy(() -> DeviceErasure.parse("acme/cam-1",
                json("{\"tenant\":\"acme\",\"deviceId\":\"cam-1\",\"erasedAt\":\"yesterday\"}")))
                .hasMessageContaining("unreadable erasedAt");
        assertThatThrownBy(() -> DeviceErasure.parse("acme/cam-1", json("[1,2]"))).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> DeviceErasure.parse("acme/cam-1", json("{"))).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> DeviceErasure.parse("acme/../x",
                json("{\"tenant\":\"acme\",\"deviceId\":\"../x\",\"erasedAt\":\"2026-12-06T01:00:00Z\"}")))
                .hasMessageContaining("invalid");
    }
}
