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

import io.fleetwarden.model.DeviceRegistration.Invalid;
import io.fleetwarden.model.DeviceRegistration.Reason;
import io.fleetwarden.model.DeviceRegistration.State;

class EnrolmentCaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FP = "c".repeat(64);
    private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void roundTripsThroughTheTopicAndKeepsTheTenantBoundToTheCa() throws Exception {
        EnrolmentCa.Template t = EnrolmentCa.template(JSON.readTree(
                "{\"model\":\"cam-x1\",\"region\":\"eu-west\",\"state\":\"active\",\"deviceIdPattern\":\"cam-*\"}"));
        EnrolmentCa ca = new EnrolmentCa("acme", FP, "CN=Acme Enrolment CA", t, AT, "admin");
        assertThat(ca.key()).isEqualTo("enrolment-ca:" + FP);
        assertThat(EnrolmentCa.isKey(ca.key())).isTrue();
        assertThat(EnrolmentCa.isKey("acme/cam-1")).isFalse();
        EnrolmentCa back = EnrolmentCa.parse(ca.key(), ca.toJson());
        assertThat(back).isEqualTo(ca);
        assertThat(back.template().registrationState()).isEqualTo(State.ACTIVE);
        assertThat(EnrolmentCa.parse(ca.key(), null)).isNull();
    }

    @Test
    void approvalRequiredRegistersPending() throws Exception {
        EnrolmentCa.Template t = EnrolmentCa.template(JSON.readTree("{\"model\":\"cam-x1\",\"approvalRequired\":true}"));
        assertThat(t.state()).isEqualTo(State.ENROLLED);
        assertThat(t.registrationState()).isEqualTo(State.PENDING);
        assertThat(State.PENDING.admitted()).isFalse();
    }

    @Test
    void refusesAnotherKeyUnknownFieldsAndBadTemplates() throws Exception {
        EnrolmentCa ca = new EnrolmentCa("acme", FP, null, new EnrolmentCa.Template("m", null, State.ENROLLED, false, null),
                AT, null);
        assertThatThrownBy(() -> EnrolmentCa.parse(EnrolmentCa.keyOf("d".repeat(64)), ca.toJson()))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_MISMATCH));
        assertThatThrownBy(() -> EnrolmentCa.parse("acme/dev-1", ca.toJson()))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_MISMATCH));
        assertThatThrownBy(() -> EnrolmentCa.parse(ca.key(), "{\"tenant\":\"acme\",\"x\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FIELD));
        assertThatThrownBy(() -> EnrolmentCa.parse(ca.key(), "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        // a template can never register a device suspended, decommissioned or pending by its state field
        for (String state : List.of("suspended", "decommissioned", "pending")) {
            assertThatThrownBy(() -> EnrolmentCa.template(JSON.readTree("{\"model\":\"m\",\"state\":\"" + state + "\"}")))
                    .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_STATE));
        }
        assertThatThrownBy(() -> EnrolmentCa.template(JSON.readTree("{\"model\":\"m\",\"deviceIdPattern\":\"(a+)+$\"}")))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_PATTERN));
        assertThatThrownBy(() -> EnrolmentCa.template(JSON.readTree("{\"model\":\"m\",\"approvalRequired\":\"yes\"}")))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        assertThatThrownBy(() -> new EnrolmentCa("_front-door", FP, null, ca.template(), AT, null))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_TENANT));
        assertThatThrownBy(() -> new EnrolmentCa("acme", "AB", null, ca.template(), AT, null))
                .isInstanceOfSatisfying(Invalid.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ISSUER));
    }

    @ParameterizedTest
    @CsvSource({
            "cam-*, cam-1, true",
            "cam-*, cam-, true",
            "cam-*, thermo-1, false",
            "cam-??, cam-12, true",
            "cam-??, cam-123, false",
            "*-eu-*, cam-eu-7, true",
            "*, anything, true",
            "cam-1, cam-1, true",
            "cam-1, cam-10, false",
            "a*a*a*a*a*b, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, false",
    })
    void matchesDeviceIdsByGlobInFull(String pattern, String id, boolean matches) {
        assertThat(EnrolmentCa.globMatches(pattern, id)).isEqualTo(matches);
        assertThat(new EnrolmentCa.Template("m", null, State.ENROLLED, false, pattern).allows(id)).isEqualTo(matches);
    }
}
