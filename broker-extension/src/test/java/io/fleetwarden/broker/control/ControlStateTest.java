package io.fleetwarden.broker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.model.ControlAction;
import io.fleetwarden.model.DeviceControl;

/** Quarantine, release, revoke (all or some serials), tombstones and bad records. */
class ControlStateTest {

    final ControlState state = new ControlState();

    static DeviceControl control(ControlAction action, boolean quarantined, boolean revoked, List<String> serials) {
        return DeviceControl.newBuilder().setControlId("c").setTenant("acme").setDeviceId("d1").setAction(action)
                .setQuarantined(quarantined).setRevoked(revoked).setRevokedCertificateSerials(serials)
                .setIssuedBy("op").setIssuedAt(Instant.EPOCH).build();
    }

    @Test
    void quarantineThenRelease() {
        assertThat(state.isQuarantined("acme/d1")).isFalse();
        ControlState.Change c = state.apply("acme/d1", control(ControlAction.QUARANTINE, true, false, List.of()));
        assertThat(c).isEqualTo(new ControlState.Change("acme/d1", true, false));
        assertThat(state.isQuarantined("acme/d1")).isTrue();
        state.apply("acme/d1", control(ControlAction.RELEASE, false, false, List.of()));
        assertThat(state.isQuarantined("acme/d1")).isFalse();
    }

    @Test
    void revokeWithoutSerialsRevokesEveryCertificate() {
        ControlState.Change c = state.apply("acme/d1", control(ControlAction.REVOKE, false, true, List.of()));
        assertThat(c.revokedNow()).isTrue();
        assertThat(state.isRevoked("acme", "d1", "abc")).isTrue();
        assertThat(state.isRevoked("acme", "d2", "abc")).isFalse();
    }

    @Test
    void revokeWithSerialsRevokesOnlyThoseComparingAsNumbers() {
        state.apply("acme/d1", control(ControlAction.REVOKE, false, true, List.of("00AB")));
        assertThat(state.isRevoked("acme", "d1", "ab")).isTrue();
        assertThat(state.isRevoked("acme", "d1", "ac")).isFalse();
        assertThat(ControlState.sameSerial("zz", "zz")).isFalse();
    }

    @Test
    void tombstoneClearsTheDevice() {
        state.apply("acme/d1", control(ControlAction.QUARANTINE, true, true, List.of()));
        state.apply("acme/d1", null);
        assertThat(state.isQuarantined("acme/d1")).isFalse();
        assertThat(state.isRevoked("acme", "d1", "1")).isFalse();
        assertThat(state.size()).isZero();
    }

    @Test
    void recordDisagreeingWithItsKeyIsRefused() {
        assertThatThrownBy(() -> state.apply("acme/other", control(ControlAction.QUARANTINE, true, false, List.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(state.isQuarantined("acme/other")).isFalse();
        assertThatThrownBy(() -> state.apply("no-slash", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void certificateRevocationsAreKeptApartFromDevicesAndRefuseBadIds() {
        DeviceControl bySerial = DeviceControl.newBuilder(control(ControlAction.REVOKE, false, true, List.of("0a")))
                .setTenant("_certificate").setDeviceId("serial:0a").build();
        ControlState.Change c = state.apply("_certificate/serial:0a", bySerial);
        assertThat(c.revokedNow()).isTrue();
        assertThat(state.isRevoked("anyone", "any-device", "A")).isTrue();
        assertThat(state.size()).as("not a device").isZero();
        DeviceControl bad = DeviceControl.newBuilder(bySerial).setDeviceId("md5:00").build();
        assertThatThrownBy(() -> state.apply("_certificate/md5:00", bad)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> state.apply("_certificate/serial:0b", bySerial))
                .isInstanceOf(IllegalArgumentException.class);
        state.apply("_certificate/serial:0a", null);
        assertThat(state.isRevoked("anyone", "any-device", "a")).isFalse();
    }
}
