package io.fleetwarden.dashboard.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.audit.AuditEntry;
import io.fleetwarden.dashboard.audit.AuditLog;
import io.fleetwarden.dashboard.audit.AuditStore;
import io.fleetwarden.dashboard.auth.Principal;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.web.ApiException;
import io.fleetwarden.dashboard.web.Json;
import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.DeviceRegistration;
import io.fleetwarden.model.DeviceRegistration.State;
import io.fleetwarden.model.EnrolmentCa;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;

/**
 * The control plane's side of just-in-time registration ({@link RegistryService#onJitRequest}) and the enrolment-CA
 * configuration: every request is judged again against the registry, and each refusal has its reason and count.
 */
class RegistryServiceJitTest {

    static final String CA = "c".repeat(64);
    static final String CERT = "d".repeat(64);
    static final ObjectMapper JSON = Json.mapper();

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T08:00:00Z"));
    final RegistryStore store = new RegistryStore();
    final AuditStore auditStore = new AuditStore();
    final List<String> written = new ArrayList<>();
    final RegistryService service = new RegistryService(store, (topic, key, value) -> written.add(topic + " " + key),
            new AuditLog(auditStore, (t, k, v) -> { }, JSON, clock), JSON, clock, 3);
    final Principal acmeAdmin = new Principal("alice", Role.ADMIN, Set.of("acme"), false);
    final Principal globexAdmin = new Principal("gus", Role.ADMIN, Set.of("globex"), false);

    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    void configure(String template) throws Exception {
        service.putEnrolmentCa(acmeAdmin, "acme", CA, json("{\"template\":" + template + "}"));
    }

    SecurityEvent request(String tenant, String deviceId, String fingerprint, String caFp) {
        Map<String, String> a = new HashMap<>();
        a.put(SecurityEventReasons.ATTR_JIT, SecurityEventReasons.JIT_REQUESTED);
        a.put(SecurityEventReasons.ATTR_ENROLMENT_CA, caFp);
        a.put(SecurityEventReasons.ATTR_CERTIFICATE_NOT_AFTER, "2027-12-01T00:00:00Z");
        return SecurityEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setType(SecurityEventType.CONNECT)
                .setTimestamp(clock.instant()).setTenant(tenant).setDeviceId(deviceId).setReason("connected")
                .setBroker(BrokerContext.newBuilder().setBrokerId("broker-a").setCertificateFingerprint(fingerprint).build())
                .setAttributes(a).build();
    }

    @Test
    void aRequestOfAConfiguredCaRegistersTheDeviceWithTheTemplatePinnedAndAudited() throws Exception {
        configure("{\"model\":\"cam-x1\",\"region\":\"eu-west\",\"state\":\"active\",\"deviceIdPattern\":\"cam-*\"}");
        assertThat(written).containsExactly(Topics.DEVICE_REGISTRY + " enrolment-ca:" + CA);
        RegistryService.JitOutcome o = service.onJitRequest(request("acme", "cam-1", CERT, CA));
        assertThat(o.registered()).isTrue();
        DeviceRegistration r = store.get("acme/cam-1").orElseThrow();
        assertThat(r.source()).isEqualTo(DeviceRegistration.SOURCE_JIT);
        assertThat(r.state()).isEqualTo(State.ACTIVE);
        assertThat(r.model()).isEqualTo("cam-x1");
        assertThat(r.region()).isEqualTo("eu-west");
        assertThat(r.certificates()).containsExactly(new DeviceRegistration.Certificate(CERT,
                Instant.parse("2027-12-01T00:00:00Z")));
        assertThat(r.issuers()).as("only its own certificate, never the whole CA").isEmpty();
        assertThat(r.updatedBy()).isEqualTo("jit:broker-a");
        assertThat(written).last().isEqualTo(Topics.DEVICE_REGISTRY + " acme/cam-1");
        List<AuditEntry> trail = auditStore.chain(AuditLog.deviceChain("acme/cam-1"));
        assertThat(trail).extracting(AuditEntry::action).containsExactly("registration-jit");
        assertThat(service.jitRegistrations()).isEqualTo(1);
        // the same request again (reconnect, replay) is a no-op and no refusal
        assertThat(service.onJitRequest(request("acme", "cam-1", CERT, CA)).registered()).isFalse();
        assertThat(service.jitRefusals(RegistryService.JIT_ALREADY_REGISTERED)).isZero();
        assertThat(service.jitRegistrations()).isEqualTo(1);
    }

    @Test
    void aTemplateRequiringApprovalRegistersPendingAndTheOperatorApproves() throws Exception {
        configure("{\"model\":\"cam-x1\",\"state\":\"active\",\"approvalRequired\":true}");
        assertThat(service.onJitRequest(request("acme", "cam-2", CERT, CA)).registered()).isTrue();
        assertThat(store.get("acme/cam-2").orElseThrow().state()).isEqualTo(State.PENDING);
        service.setState(acmeAdmin, "acme", "cam-2", "active", "approved after checking the order");
        assertThat(store.get("acme/cam-2").orElseThrow().state()).isEqualTo(State.ACTIVE);
        assertThat(store.get("acme/cam-2").orElseThrow().source()).as("source kept").isEqualTo("jit");
    }

    @Test
    void everyHostileOrStaleRequestIsRefusedWithItsReason() throws Exception {
        configure("{\"model\":\"cam-x1\",\"deviceIdPattern\":\"cam-*\"}");
        // decommissioned (or any registered) device: never re-registered, never overwritten
        service.enrol(acmeAdmin, "acme", json("{\"deviceId\":\"cam-old\",\"model\":\"cam-x1\",\"certificates\":[\""
                + "e".repeat(64) + "\"]}"));
        service.setState(acmeAdmin, "acme", "cam-old", "decommissioned", "scrapped");
        assertThat(service.onJitRequest(request("acme", "cam-old", CERT, CA)).reason())
                .isEqualTo(RegistryService.JIT_ALREADY_REGISTERED);
        assertThat(store.get("acme/cam-old").orElseThrow().state()).isEqualTo(State.DECOMMISSIONED);
        // the CA is acme's: a request naming another tenant is refused
        assertThat(service.onJitRequest(request("globex", "cam-3", CERT, CA)).reason())
                .isEqualTo(RegistryService.JIT_TENANT_MISMATCH);
        assertThat(store.get("globex/cam-3")).isEmpty();
        assertThat(service.onJitRequest(request("acme", "thermo-1", CERT, CA)).reason())
                .isEqualTo(RegistryService.JIT_DEVICE_ID_NOT_ALLOWED);
        assertThat(service.onJitRequest(request("acme", "cam-4", CERT, "f".repeat(64))).reason())
                .isEqualTo(RegistryService.JIT_UNKNOWN_ENROLMENT_CA);
        assertThat(service.onJitRequest(request("acme", "cam-5", "not-a-fingerprint", CA)).reason())
                .isEqualTo(RegistryService.JIT_MALFORMED);
        assertThat(service.onJitRequest(request("_front-door", "cam-5", CERT, CA)).reason())
                .isEqualTo(RegistryService.JIT_MALFORMED);
        SecurityEvent old = request("acme", "cam-6", CERT, CA);
        clock.now = clock.now.plus(RegistryService.JIT_REQUEST_MAX_AGE).plusSeconds(1);
        assertThat(service.onJitRequest(old).reason()).isEqualTo(RegistryService.JIT_EXPIRED);
        assertThat(service.jitRefusals(RegistryService.JIT_TENANT_MISMATCH)).isEqualTo(1);
        assertThat(service.jitRefusals(RegistryService.JIT_MALFORMED)).isEqualTo(2);
        assertThat(service.jitRegistrations()).isZero();
    }

    @Test
    void registrationsAreRateLimitedPerTenant() throws Exception {
        configure("{\"model\":\"cam-x1\"}");
        for (int i = 0; i < 3; i++) {
            assertThat(service.onJitRequest(request("acme", "r-" + i, CERT, CA)).registered()).isTrue();
        }
        assertThat(service.onJitRequest(request("acme", "r-3", CERT, CA)).reason())
                .isEqualTo(RegistryService.JIT_RATE_LIMITED);
        assertThat(service.jitRefusals(RegistryService.JIT_RATE_LIMITED)).isEqualTo(1);
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertThat(service.onJitRequest(request("acme", "r-3", CERT, CA)).registered()).isTrue();
    }

    @Test
    void aCaEnrolsForOneTenantOnlyAndOnlyItsTenantAdminConfiguresIt() throws Exception {
        configure("{\"model\":\"cam-x1\"}");
        assertThatThrownBy(() -> service.putEnrolmentCa(globexAdmin, "globex", CA, json("{\"template\":{\"model\":\"m\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).doesNotContain("acme");
                });
        assertThat(service.refusals(RegistryService.ENROLMENT_CA_IN_USE)).isEqualTo(1);
        assertThatThrownBy(() -> service.putEnrolmentCa(globexAdmin, "acme", CA, json("{\"template\":{\"model\":\"m\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> service.removeEnrolmentCa(globexAdmin, "globex", CA))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> service.putEnrolmentCa(acmeAdmin, "acme", CA,
                json("{\"template\":{\"model\":\"m\",\"state\":\"decommissioned\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> service.putEnrolmentCa(acmeAdmin, "acme", CA,
                json("{\"template\":{\"model\":\"m\"},\"tenant\":\"globex\"}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> service.putEnrolmentCa(acmeAdmin, "acme", CA,
                json("{\"certificate\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\","
                        + "\"template\":{\"model\":\"m\"}}")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(store.enrolmentCa(CA).orElseThrow().tenant()).isEqualTo("acme");
        service.removeEnrolmentCa(acmeAdmin, "acme", CA);
        assertThat(store.enrolmentCa(CA)).isEmpty();
        assertThat(auditStore.chain(AuditLog.enrolmentCaChain(CA))).extracting(AuditEntry::action)
                .containsExactly("enrolment-ca-add", "enrolment-ca-remove");
        // a registry record of the CA kind is read back from the topic like the brokers read it
        EnrolmentCa ca = new EnrolmentCa("acme", CA, null, new EnrolmentCa.Template("m", null, State.ENROLLED, false,
                null), clock.instant(), "alice");
        store.applyRecord(ca.key(), ca.toJson());
        assertThat(store.enrolmentCasOf("acme")).containsExactly(ca);
        assertThat(store.size()).as("not a device").isZero();
    }

    @Test
    void requestsWaitUntilTheTopicsAreReplayed() throws Exception {
        configure("{\"model\":\"cam-x1\"}");
        boolean[] live = {false};
        JitRequests requests = new JitRequests(service, () -> live[0]);
        requests.offer(request("acme", "w-1", CERT, CA));
        SecurityEvent notARequest = request("acme", "w-2", CERT, CA);
        notARequest.getAttributes().remove(SecurityEventReasons.ATTR_JIT);
        requests.offer(notARequest);
        requests.drain();
        assertThat(store.get("acme/w-1")).isEmpty();
        assertThat(requests.waiting()).isEqualTo(1);
        live[0] = true;
        requests.drain();
        assertThat(store.get("acme/w-1")).isPresent();
        assertThat(store.get("acme/w-2")).isEmpty();
    }
}
