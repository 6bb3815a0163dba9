package io.fleetwarden.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import io.fleetwarden.broker.identity.ConnectVerifier;
import io.fleetwarden.dashboard.DashboardApp;
import io.fleetwarden.dashboard.DashboardConfig;
import io.fleetwarden.dashboard.auth.Role;
import io.fleetwarden.dashboard.auth.TokenStore;
import io.fleetwarden.dashboard.disclosure.ReportStore;
import io.fleetwarden.dashboard.fleet.InfluxHealthSeries;
import io.fleetwarden.dashboard.kafka.KafkaRecordPublisher;
import io.fleetwarden.dashboard.kafka.OwnTopics;
import io.fleetwarden.dashboard.kafka.TopicMaterializer;
import io.fleetwarden.model.DeviceIdentities;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.InfluxDbExtension;
import io.fleetwarden.testsupport.KafkaExtension;
import io.fleetwarden.testsupport.TestCredential;
import io.fleetwarden.testsupport.TestPki;
import io.fleetwarden.testsupport.TopicSpec;

/**
 * Just-in-time registration end to end, every part real: the packaged extension in the launcher with registry
 * enforcement on, mutual TLS, real MQTT clients, real Kafka, and the dashboard API as the control plane (the only
 * writer of {@code fleet.device-registry}). Two enrolment CAs are configured through the API by tenant admins: acme's
 * fleet CA (template active, device ids {@code jit-*}) and a second CA of tenant initech whose template requires
 * approval. Shown: an unregistered device of acme's CA is admitted and its registration appears (source jit,
 * fingerprint pinned, audited) while its telemetry carries the template's model; a second certificate for the same id
 * is refused; initech's device is refused until an operator approves it; a decommissioned device is disconnected and
 * never re-registers; a certificate of another tenant chaining to acme's enrolment CA is refused and no tenant can
 * take another's CA; and the tenant's JIT rate is enforced with its CONNACK and reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JitRegistrationIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder().topics(List.of(topics())).build();

    @RegisterExtension
    static final InfluxDbExtension INFLUX = InfluxDbExtension.withDatabase("fleetwarden");

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static DashboardApp dashboard;
    static KafkaRecordPublisher publisher;
    static InfluxHealthSeries influx;
    static TokenStore tokens;
    static String acmeAdmin;
    static String initechAdmin;
    static String globexAdmin;
    static String platformAdmin;
    static BrokerFixture fx;
    static TestPki initechCa;
    static String acmeCaFp;

    static TopicSpec[] topics() {
        List<io.fleetwarden.model.TopicSpec> specs = List.of(Topics.ALERTS_SPEC, Topics.ALERT_TRIAGE_SPEC,
                Topics.DEVICE_STATUS_SPEC, Topics.TELEMETRY_SPEC, Topics.SECURITY_EVENTS_SPEC, Topics.DEVICE_CONTROLS_SPEC,
                Topics.FIRMWARE_CATALOG_SPEC, Topics.ADVISORIES_SPEC, Topics.DEVICE_EVENTS_SPEC, OwnTopics.AUDIT_SPEC,
                OwnTopics.AUDIT_DETAILS_SPEC, OwnTopics.ERASURES_SPEC, Topics.DEVICE_REGISTRY_SPEC);
        return specs.stream().map(t -> (t.compacted() ? TopicSpec.compacted(t.name()) : TopicSpec.of(t.name()))
                .withPartitions(Math.min(t.partitions(), 3))).toArray(TopicSpec[]::new);
    }

    @BeforeAll
    static void start() throws Exception {
        Properties p = new Properties();
        p.setProperty("http.host", "127.0.0.1");
        p.setProperty("http.port", "0");
        p.setProperty("kafka.bootstrap-servers", KAFKA.bootstrapServers());
        p.setProperty("influx.url", INFLUX.url());
        p.setProperty("influx.database", "fleetwarden");
        p.setProperty("securitytxt.contact", "mailto:security@example.org");
        p.setProperty("securitytxt.expires", "2030-01-01T00:00:00Z");
        p.setProperty("securitytxt.policy", "https://example.org/disclosure");
        p.setProperty("securitytxt.preferred-languages", "en");
        p.setProperty("disclosure.max-report-bytes", "2048");
        p.setProperty("disclosure.reports-per-minute", "3");
        tokens = new TokenStore(null, Clock.systemUTC());
        acmeAdmin = tokens.create("acme-admin", Role.ADMIN, Set.of("acme"), false, "it").secret();
        initechAdmin = tokens.create("initech-admin", Role.ADMIN, Set.of("initech"), false, "it").secret();
        globexAdmin = tokens.create("globex-admin", Role.ADMIN, Set.of("globex"), false, "it").secret();
        platformAdmin = tokens.create("platform-admin", Role.ADMIN, Set.of(), true, "it").secret();
        publisher = new KafkaRecordPublisher(KAFKA.bootstrapServers());
        influx = new InfluxHealthSeries(INFLUX.url(), null, null, "fleetwarden");
        dashboard = DashboardApp.create(new DashboardApp.Dependencies(DashboardConfig.from(p), Clock.systemUTC(),
                publisher, new TopicMaterializer(KAFKA.bootstrapServers()), influx, tokens, null, new ReportStore(null)))
                .start();
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", "/ready", null, null).statusCode() == 200);

        // 2 JIT admissions per tenant at once, then one a minute: the rate test finds the bucket empty
        fx = new BrokerFixture(KAFKA.bootstrapServers(), Map.of("fleetwarden.registry.enforcement", "on",
                "fleetwarden.registry.jit-per-minute", "1", "fleetwarden.registry.jit-burst", "2"),
                JitRegistrationIT::configureEnrolmentCas);
    }

    /** Before the broker starts: a second trusted CA (initech's), and both enrolment CAs configured by tenant admins. */
    static void configureEnrolmentCas(TestPki pki, Path crlDir) {
        try {
            initechCa = pki.foreign();
            Path dir = crlDir.getParent();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*-ca.pem")) {
                for (Path pem : ds) {
                    Files.writeString(pem, "\n" + initechCa.ca().certificatePem(), StandardOpenOption.APPEND);
                }
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*-truststore.p12")) {
                for (Path store : ds) {
                    KeyStore ks = pki.trustStore(BrokerFixture.PASSWORD);
                    ks.setCertificateEntry("initech", initechCa.caCertificate());
                    try (OutputStream out = Files.newOutputStream(store)) {
                        ks.store(out, BrokerFixture.PASSWORD);
                    }
                }
            }
            initechCa.writeCrl(crlDir);
            acmeCaFp = ConnectVerifier.fingerprint(pki.caCertificate());
            HttpResponse<String> acme = call("PUT", "/api/v1/registry/acme/enrolment-cas/" + acmeCaFp, acmeAdmin,
                    Map.of("certificate", pki.ca().certificatePem(), "template", Map.of("model", "cam-jit", "region",
                            "eu-north", "state", "active", "deviceIdPattern", "jit-*")));
            assertThat(acme.statusCode()).as(acme.body()).isEqualTo(201);
            HttpResponse<String> initech = call("PUT", "/api/v1/registry/initech/enrolment-cas/"
                    + ConnectVerifier.fingerprint(initechCa.caCertificate()), initechAdmin,
                    Map.of("template", Map.of("model", "thermo-t2", "approvalRequired", true)));
            assertThat(initech.statusCode()).as(initech.body()).isEqualTo(201);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (influx != null) {
            influx.close();
        }
    }

    static HttpResponse<String> call(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode awaitRegistration(String tenant, String deviceId, String state) {
        List<JsonNode> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            HttpResponse<String> r = call("GET", "/api/v1/registry/" + tenant + "/devices/" + deviceId, platformAdmin, null);
            if (r.statusCode() != 200) {
                return false;
            }
            JsonNode n = JSON.readTree(r.body());
            if (!state.equals(n.get("state").asText())) {
                return false;
            }
            out.add(n);
            return true;
        });
        return out.get(0);
    }

    static Mqtt5BlockingClient client(String tenant, String deviceId, TestCredential cred) {
        return fx.client(DeviceIdentities.clientId(tenant, deviceId), cred).buildBlocking();
    }

    static Mqtt5ConnAckException refused(String tenant, String deviceId, TestCredential cred) {
        Throwable t = catchThrowable(client(tenant, deviceId, cred)::connect);
        assertThat(t).isInstanceOf(Mqtt5ConnAckException.class);
        return (Mqtt5ConnAckException) t;
    }

    /** Connects, retrying while the broker has not yet read the registry change just written. */
    static Mqtt5BlockingClient connectWhenAdmitted(String tenant, String deviceId, TestCredential cred) {
        List<Mqtt5BlockingClient> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            Mqtt5BlockingClient c = client(tenant, deviceId, cred);
            try {
                c.connect();
                out.add(c);
                return true;
            } catch (Mqtt5ConnAckException e) {
                return false;
            }
        });
        return out.get(0);
    }

    /** Waits until a connect is refused with {@code code} (the broker reads registry changes asynchronously). */
    static Mqtt5ConnAckException awaitRefusal(String tenant, String deviceId, TestCredential cred,
                                              Mqtt5ConnAckReasonCode code) {
        List<Mqtt5ConnAckException> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            Mqtt5BlockingClient c = client(tenant, deviceId, cred);
            try {
                c.connect();
                c.disconnect();
                return false;
            } catch (Mqtt5ConnAckException e) {
                if (e.getMqttMessage().getReasonCode() == code) {
                    out.add(e);
                    return true;
                }
                return false;
            }
        });
        return out.get(0);
    }


    static Predicate<SecurityEvent> event(SecurityEventType type, String tenant, String deviceId, String reason) {
        return e -> e.getType() == type && reason.equals(e.getReason()) && deviceId.equals(e.getDeviceId())
                && tenant.equals(e.getTenant());
    }

    @Test
    @Order(1)
    void anUnregisteredDeviceOfTheEnrolmentCaIsAdmittedAndItsRegistrationAppears() throws Exception {
        TestCredential cred = fx.pki.deviceCertificate("acme", "jit-ok-1");
        String fp = ConnectVerifier.fingerprint(cred.certificate());
        Mqtt5BlockingClient c = client("acme", "jit-ok-1", cred);
        assertThat(c.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        SecurityEvent connect = fx.awaitEvent(event(SecurityEventType.CONNECT, "acme", "jit-ok-1",
                SecurityEventReasons.CONNECTED));
        assertThat(connect.getAttributes()).containsEntry(SecurityEventReasons.ATTR_JIT, SecurityEventReasons.JIT_REQUESTED)
                .containsEntry(SecurityEventReasons.ATTR_ENROLMENT_CA, acmeCaFp);
        assertThat(connect.getBroker().getRegisteredModel()).isEqualTo("cam-jit");

        // what the registry says travels with the telemetry, not what the device claims (cam-x1)
        c.publishWith().topic(DeviceIdentities.telemetryTopic("acme", "jit-ok-1")).qos(MqttQos.AT_LEAST_ONCE)
                .payload(BrokerFixture.telemetryJson(1)).send();
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.telemetry().stream()
                .anyMatch(r -> r.value().getDeviceId().equals("jit-ok-1")
                        && "cam-jit".equals(r.value().getBroker().getRegisteredModel())
                        && "eu-north".equals(r.value().getBroker().getRegisteredRegion())));

        JsonNode reg = awaitRegistration("acme", "jit-ok-1", "active");
        assertThat(reg.get("source").asText()).isEqualTo("jit");
        assertThat(reg.get("model").asText()).isEqualTo("cam-jit");
        assertThat(reg.get("region").asText()).isEqualTo("eu-north");
        assertThat(reg.get("certificates")).hasSize(1);
        assertThat(reg.get("certificates").get(0).get("fingerprint").asText()).isEqualTo(fp);
        assertThat(reg.get("issuers")).isEmpty();
        // The dashboard writes the registration, applies it, then appends its audit entry: the entry may follow the
        // registration's visibility by a moment.
        List<HttpResponse<String>> audits = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> r = call("GET", "/api/v1/audit?chain=device:acme/jit-ok-1", acmeAdmin, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            audits.add(0, r);
        });
        HttpResponse<String> audit = audits.get(0);
        assertThat(JSON.readTree(audit.body()).get("entries").get(0).get("action").asText()).isEqualTo("registration-jit");
        assertThat(call("GET", "/metrics", null, null).body())
                .contains("fleetwarden_dashboard_jit_requests{result=\"registered\"}");
        assertThat(c.getState().isConnected()).as("the registration keeps the session").isTrue();
        c.disconnect();

        // the id is taken: another certificate of the enrolment CA for it is refused (the fingerprint is pinned)
        // (until the broker has read the registration, the JIT hold refuses it as jit-conflict)
        TestCredential second = fx.pki.deviceCertificate("acme", "jit-ok-1");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assertThat(refused("acme", "jit-ok-1", second).getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            return fx.events().stream().anyMatch(event(SecurityEventType.AUTHENTICATION_FAILURE, "acme", "jit-ok-1",
                    SecurityEventReasons.CERTIFICATE_NOT_REGISTERED));
        });
        assertThat(connectWhenAdmitted("acme", "jit-ok-1", cred).getState().isConnected()).isTrue();
    }

    @Test
    @Order(2)
    void aTemplateRequiringApprovalRefusesWithItsReasonUntilAnOperatorApproves() throws Exception {
        TestCredential cred = initechCa.deviceCertificate("initech", "appr-1");
        Mqtt5ConnAckException e = refused("initech", "appr-1", cred);
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).hasValueSatisfying(
                s -> assertThat(s).contains("approve"));
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, "initech", "appr-1",
                SecurityEventReasons.REGISTRATION_PENDING_APPROVAL));
        assertThat(ev.getAttributes()).containsEntry(SecurityEventReasons.ATTR_JIT, SecurityEventReasons.JIT_REQUESTED);

        JsonNode reg = awaitRegistration("initech", "appr-1", "pending");
        assertThat(reg.get("source").asText()).isEqualTo("jit");
        assertThat(reg.get("model").asText()).isEqualTo("thermo-t2");
        assertThat(refused("initech", "appr-1", cred).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);

        // another tenant's admin cannot approve it; initech's admin can
        assertThat(call("POST", "/api/v1/registry/initech/devices/appr-1/state", acmeAdmin,
                Map.of("state", "active", "reason", "not mine")).statusCode()).isEqualTo(404);
        HttpResponse<String> approve = call("POST", "/api/v1/registry/initech/devices/appr-1/state", initechAdmin,
                Map.of("state", "active", "reason", "order 4711 checked"));
        assertThat(approve.statusCode()).as(approve.body()).isEqualTo(200);
        assertThat(connectWhenAdmitted("initech", "appr-1", cred).getState().isConnected()).isTrue();
    }

    @Test
    @Order(3)
    void aDecommissionedDeviceIsDisconnectedAndNeverReRegistersByJit() throws Exception {
        TestCredential cred = fx.pki.deviceCertificate("acme", "jit-dec-1");
        Mqtt5BlockingClient c = client("acme", "jit-dec-1", cred);
        c.connect();
        awaitRegistration("acme", "jit-dec-1", "active");
        HttpResponse<String> dec = call("POST", "/api/v1/registry/acme/devices/jit-dec-1/state", acmeAdmin,
                Map.of("state", "decommissioned", "reason", "returned to vendor"));
        assertThat(dec.statusCode()).as(dec.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> !c.getState().isConnected());

        Mqtt5ConnAckException e = awaitRefusal("acme", "jit-dec-1", cred, Mqtt5ConnAckReasonCode.BANNED);
        assertThat(e.getMqttMessage().getReasonString().map(Object::toString)).hasValueSatisfying(
                s -> assertThat(s).contains("decommissioned"));
        // a fresh certificate of the enrolment CA does not bring it back either
        assertThat(refused("acme", "jit-dec-1", fx.pki.deviceCertificate("acme", "jit-dec-1")).getMqttMessage()
                .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BANNED);
        Thread.sleep(1500); // one drain of the dashboard's JIT queue
        assertThat(awaitRegistration("acme", "jit-dec-1", "decommissioned").get("source").asText()).isEqualTo("jit");
    }

    @Test
    @Order(4)
    void aCertificateOfAnotherTenantChainingToTheEnrolmentCaIsRefusedAndACaServesOneTenant() throws Exception {
        TestCredential globex = fx.pki.deviceCertificate("globex", "jit-x-1");
        assertThat(refused("globex", "jit-x-1", globex).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        SecurityEvent ev = fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, "globex", "jit-x-1",
                SecurityEventReasons.JIT_TENANT_MISMATCH));
        assertThat(ev.getAttributes()).doesNotContainKey(SecurityEventReasons.ATTR_JIT);
        assertThat(ev.getDetail()).doesNotContain("acme");
        assertThat(call("GET", "/api/v1/registry/globex/devices/jit-x-1", platformAdmin, null).statusCode()).isEqualTo(404);

        HttpResponse<String> take = call("PUT", "/api/v1/registry/globex/enrolment-cas/" + acmeCaFp, globexAdmin,
                Map.of("template", Map.of("model", "cam-x1")));
        assertThat(take.statusCode()).isEqualTo(409);
        assertThat(take.body()).contains("enrolment-ca-in-use").doesNotContain("acme");
        assertThat(call("GET", "/api/v1/registry/acme/enrolment-cas", globexAdmin, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void theTenantsJitRateIsEnforcedWithItsReasonAndCount() throws Exception {
        // acme spent its burst of 2 above; the bucket refills one a minute
        Mqtt5ConnAckException limited = null;
        String limitedId = null;
        for (int i = 1; i <= 3 && limited == null; i++) {
            String id = "jit-rate-" + i;
            Mqtt5BlockingClient c = client("acme", id, fx.pki.deviceCertificate("acme", id));
            try {
                c.connect();
                c.disconnect();
            } catch (Mqtt5ConnAckException e) {
                limited = e;
                limitedId = id;
            }
        }
        assertThat(limited).as("a JIT admission refused by the rate within 3 attempts").isNotNull();
        assertThat(limited.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CONNECTION_RATE_EXCEEDED);
        fx.awaitEvent(event(SecurityEventType.AUTHENTICATION_FAILURE, "acme", limitedId,
                SecurityEventReasons.JIT_RATE_LIMITED));
        assertThat(fx.http("/metrics").body())
                .containsPattern("fleetwarden_broker_connects_total\\{reason=\"jit-rate-limited\",result=\"refused\"\\}"
                        + " [1-9]|fleetwarden_broker_connects_total\\{result=\"refused\",reason=\"jit-rate-limited\"\\}"
                        + " [1-9]");
        assertThat(call("GET", "/api/v1/registry/acme/devices/" + limitedId, acmeAdmin, null).statusCode())
                .isEqualTo(404);
    }
}
