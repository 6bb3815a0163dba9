package io.fleetwarden.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.model.DeviceRegistration.Reason;

class DeviceRegistrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FP1 = "a".repeat(64);
    private static final String FP2 = "b".repeat(64);
    private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

    private static DeviceRegistration request(String json) throws Exception {
        return DeviceRegistration.fromJson(JSON.readTree(json), "acme", "cam-1", AT, "admin");
    }

    @Test
    void readsAnEnrolmentWithTwoCertificatesDuringARollover() throws Exception {
        DeviceRegistration r = request("{\"model\":\"cam-x1\",\"region\":\"eu-west\",\"certificates\":[{\"fingerprint\":\""
                + FP1 + "\",\"notAfter\":\"2027-01-01T00:00:00Z\"},\"" + FP2 + "\"]}");
        assertThat(r.state()).isEqualTo(DeviceRegistration.State.ENROLLED);
        assertThat(r.state().admitted()).isTrue();
        assertThat(r.allowsCertificate(FP1)).isTrue();
        assertThat(r.allowsCertificate(FP2)).isTrue();
        assertThat(r.allowsCertificate("c".repeat(64))).isFalse();
        assertThat(r.certificates().get(0).notAfter()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));

        DeviceRegistration back = DeviceRegistration.parse("acme/cam-1", r.toJson());
        assertThat(back).isEqualTo(r);
    }

    @Test
    void issuerAllowsAnyCertificateOfThatCa() throws Exception {
        DeviceRegistration r = request("{\"model\":\"cam-x1\",\"issuers\":[\"" + FP2 + "\"]}");
        assertThat(r.allowsCertificate(FP1)).isFalse();
        assertThat(r.allowsIssuerOf(List.of(FP1, FP2))).isTrue();
        assertThat(r.allowsIssuerOf(List.of(FP1))).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "invalid-model|{\"model\":\"cam x1\",\"certificates\":[\"" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + "\"]}",
            "invalid-model|{\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
            "invalid-model|{\"model\":7,\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
            "invalid-region|{\"model\":\"m\",\"region\":\"eu/west\",\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
            "invalid-state|{\"model\":\"m\",\"state\":\"gone\",\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
            "invalid-fingerprint|{\"model\":\"m\",\"certificates\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}",
            "invalid-fingerprint|{\"model\":\"m\",\"certificates\":[\"abc\"]}",
            "invalid-fingerprint|{\"model\":\"m\",\"certificates\":[{\"notAfter\":\"2027-01-01T00:00:00Z\"}]}",
            "duplicate-fingerprint|{\"model\":\"m\",\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
            "too-many-certificates|{\"model\":\"m\",\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"]}",
            "invalid-not-after|{\"model\":\"m\",\"certificates\":[{\"fingerprint\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"notAfter\":\"tomorrow\"}]}",
            "invalid-issuer|{\"model\":\"m\",\"issuers\":[\"not-hex\"]}",
            "invalid-issuer|{\"model\":\"m\",\"issuers\":[5]}",
            "no-credential|{\"model\":\"m\"}",
            "no-credential|{\"model\":\"m\",\"certificates\":[],\"issuers\":[]}",
            "unknown-field|{\"model\":\"m\",\"password\":\"x\",\"certificates\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
            "unknown-field|{\"model\":\"m\",\"certificates\":[{\"fingerprint\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"pem\":\"x\"}]}"})
    void refusesWithASpecificReason(String reason, String json) {
        assertThatThrownBy(() -> request(json)).isInstanceOfSatisfying(DeviceRegistration.Invalid.class,
                e -> assertThat(e.reason().code()).isEqualTo(reason));
    }

    @Test
    void refusesHostileIdsAndReservedTenants() {
        List<DeviceRegistration.Certificate> one = List.of(new DeviceRegistration.Certificate(FP1, null));
        assertThatThrownBy(() -> new DeviceRegistration("_front-door", "d", "m", null, DeviceRegistration.State.ACTIVE, one,
                List.of(), AT, null)).isInstanceOfSatisfying(DeviceRegistration.Invalid.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_TENANT));
        assertThatThrownBy(() -> new DeviceRegistration("acme", "../etc", "m", null, DeviceRegistration.State.ACTIVE, one,
                List.of(), AT, null)).isInstanceOfSatisfying(DeviceRegistration.Invalid.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_DEVICE_ID));
        assertThatThrownBy(() -> new DeviceRegistration("acme", "d".repeat(65), "m", null, DeviceRegistration.State.ACTIVE,
                one, List.of(), AT, null)).isInstanceOfSatisfying(DeviceRegistration.Invalid.class,
                e -> assertThat(e).hasMessageContaining("deviceId"));
    }

    @Test
    void topicRecordsMustMatchTheirKeyAndBeJson() throws Exception {
        byte[] value = request("{\"model\":\"m\",\"certificates\":[\"" + FP1 + "\"]}").toJson();
        assertThat(DeviceRegistration.parse("acme/cam-1", null)).isNull();
        assertThatThrownBy(() -> DeviceRegistration.parse("other/cam-1", value))
                .isInstanceOfSatisfying(DeviceRegistration.Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_MISMATCH));
        assertThatThrownBy(() -> DeviceRegistration.parse("acme/cam-1", "{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DeviceRegistration.Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        assertThatThrownBy(() -> DeviceRegistration.parse("acme/cam-1", "[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(DeviceRegistration.Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }
}
