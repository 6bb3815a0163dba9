package io.fleetwarden.broker.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fleetwarden.broker.identity.DeviceIdentity;
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

    static DeviceControl certificateRevocation(String id, boolean revoked) {
        return DeviceControl.newBuilder(control(ControlAction.REVOKE, false, revoked, List.of()))
                .setTenant("_certificate").setDeviceId(id).build();
    }

    @Test
    void serialsAreIndexedByTheirOneSpellingAndCompareExactly() {
        assertThat(ControlState.canonicalSerial("ab")).isEqualTo("ab");
        assertThat(ControlState.canonicalSerial("00AB")).isEqualTo("ab");
        assertThat(ControlState.canonicalSerial(" 0aB ")).isEqualTo("ab");
        assertThat(ControlState.canonicalSerial("0")).isEqualTo("0");
        assertThat(ControlState.canonicalSerial("000")).isEqualTo("0");
        assertThat(ControlState.canonicalSerial("-0")).isEqualTo("0");
        assertThat(ControlState.canonicalSerial("-0a")).isEqualTo("-a");
        assertThat(ControlState.canonicalSerial("-a")).isEqualTo("-a");
        assertThat(ControlState.canonicalSerial("")).isNull();
        assertThat(ControlState.canonicalSerial("-")).isNull();
        assertThat(ControlState.canonicalSerial("xyz")).isNull();
        assertThat(ControlState.canonicalSerial(null)).isNull();
        assertThat(ControlState.sameSerial("0A", "a")).isTrue();
        assertThat(ControlState.sameSerial("a", "-a")).as("a negative serial is another number").isFalse();
        assertThat(ControlState.sameSerial("a", "a0")).isFalse();

        state.apply("_certificate/serial:00AB", certificateRevocation("serial:00AB", true));
        assertThat(state.isRevoked("any", "device", "ab")).isTrue();
        assertThat(state.isRevoked("any", "device", "0ab")).isTrue();
        assertThat(state.isRevoked("any", "device", "AB")).isTrue();
        assertThat(state.isRevoked("any", "device", "abc")).as("a longer serial sharing the digits").isFalse();
        assertThat(state.isRevoked("any", "device", "b")).isFalse();
        assertThat(state.isRevoked("any", "device", "not-hex")).isFalse();
        assertThat(state.isRevoked("any", "device", null)).isFalse();
    }

    @Test
    void aSerialNamedByTwoRecordsStaysRevokedUntilBothAreWithdrawn() {
        state.apply("_certificate/serial:0a", certificateRevocation("serial:0a", true));
        state.apply("_certificate/serial:A", certificateRevocation("serial:A", true));
        assertThat(state.certificateRevocations()).isEqualTo(2);
        state.apply("_certificate/serial:0a", null);
        assertThat(state.isRevoked("any", "device", "a")).as("still revoked by serial:A").isTrue();
        state.apply("_certificate/serial:A", certificateRevocation("serial:A", false)); // explicit un-revoke
        assertThat(state.isRevoked("any", "device", "a")).isFalse();
        assertThat(state.certificateRevocations()).isZero();
        // withdrawing what was never revoked changes nothing
        state.apply("_certificate/serial:0b", null);
        assertThat(state.certificateRevocations()).isZero();
    }

    @Test
    void deviceSerialListsCompareAsNumbersAndAnUnreadableListRevokesNothing() {
        state.apply("acme/d1", control(ControlAction.REVOKE, false, true, List.of("00Ab", "ff")));
        assertThat(state.isRevoked("acme", "d1", "ab")).isTrue();
        assertThat(state.isRevoked("acme", "d1", "FF")).isTrue();
        assertThat(state.isRevoked("acme", "d1", "fe")).isFalse();
        assertThat(state.isRevoked("acme", "d1", null)).isFalse();
        // a list whose serials are all unreadable still names serials: it does not turn into "every certificate"
        state.apply("acme/d1", control(ControlAction.REVOKE, false, true, List.of("zz")));
        assertThat(state.isRevoked("acme", "d1", "ab")).isFalse();
    }

    @Test
    void fingerprintsAreIndexedExactly() {
        String fp = "ab".repeat(32);
        state.apply("_certificate/sha256:" + fp, certificateRevocation("sha256:" + fp, true));
        assertThat(state.isRevoked(new DeviceIdentity("acme", "d9", "1", fp, Instant.EPOCH))).isTrue();
        assertThat(state.isRevoked(new DeviceIdentity("acme", "d9", "1", fp.toUpperCase(), Instant.EPOCH))).isTrue();
        assertThat(state.isRevoked(new DeviceIdentity("acme", "d9", "1", "ab".repeat(31) + "ac", Instant.EPOCH))).isFalse();
        assertThat(state.isRevoked(new DeviceIdentity("acme", "d9", "1", null, Instant.EPOCH))).isFalse();
        assertThatThrownBy(() -> state.apply("_certificate/sha256:" + fp.toUpperCase(),
                certificateRevocation("sha256:" + fp.toUpperCase(), true))).isInstanceOf(IllegalArgumentException.class);
        state.apply("_certificate/sha256:" + fp, null);
        assertThat(state.isRevoked(new DeviceIdentity("acme", "d9", "1", fp, Instant.EPOCH))).isFalse();
    }

    /**
     * Thousands of operator revocations of every kind (certificate serials, fingerprints, devices with and without
     * serial lists) and the answer is still exact for each certificate: the one named is refused, its neighbours
     * (the next serial, the same serial on another device's list, a fingerprint one digit off, the same device id
     * in another tenant) are not.
     */
    @Test
    void manyRevocationsStillNameExactlyTheRevokedCertificates() {
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String serial = Integer.toHexString(2 * i + 1); // odd serials are revoked, even ones are not
            state.apply("_certificate/serial:" + serial, certificateRevocation("serial:" + serial, true));
            String fp = String.format("%064x", 2L * i + 1);
            state.apply("_certificate/sha256:" + fp, certificateRevocation("sha256:" + fp, true));
            DeviceControl device = DeviceControl.newBuilder(control(ControlAction.REVOKE, false, true,
                    i % 2 == 0 ? List.of() : List.of("1" + String.format("%08x", i)))).setDeviceId("dev-" + i).build();
            state.apply("acme/dev-" + i, device);
        }
        assertThat(state.certificateRevocations()).isEqualTo(2 * n);
        assertThat(state.size()).isEqualTo(n);

        for (int i = 0; i < n; i += 997) {
            String odd = Integer.toHexString(2 * i + 1);
            String even = Integer.toHexString(2 * i + 2 + 1_000_000);
            assertThat(state.isRevoked("globex", "other", odd)).as("serial %s", odd).isTrue();
            assertThat(state.isRevoked("globex", "other", "00" + odd.toUpperCase())).isTrue();
            assertThat(state.isRevoked("globex", "other", even)).as("serial %s", even).isFalse();
            assertThat(identityRevoked("globex", "other", even, String.format("%064x", 2L * i + 1))).isTrue();
            assertThat(identityRevoked("globex", "other", even, String.format("%064x", 2L * i + 2))).isFalse();
            String listed = "1" + String.format("%08x", i);
            if (i % 2 == 0) {
                assertThat(state.isRevoked("acme", "dev-" + i, even)).as("every certificate of dev-%d", i).isTrue();
            } else {
                assertThat(state.isRevoked("acme", "dev-" + i, listed)).isTrue();
                assertThat(state.isRevoked("acme", "dev-" + i, even)).isFalse();
                assertThat(state.isRevoked("acme", "dev-" + (i + 2), listed)).as("listed for another device").isFalse();
            }
            assertThat(state.isRevoked("globex", "dev-" + i, even)).as("same id, another tenant").isFalse();
        }
    }

    private boolean identityRevoked(String tenant, String deviceId, String serial, String fingerprint) {
        return state.isRevoked(new DeviceIdentity(tenant, deviceId, serial, fingerprint, Instant.EPOCH));
    }
}
