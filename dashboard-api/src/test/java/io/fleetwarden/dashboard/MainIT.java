package io.fleetwarden.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.fleetwarden.model.Topics;
import io.fleetwarden.testsupport.KafkaExtension;

/**
 * The real entry point as the deploy module runs it: prints the dashboard URL and, on the first
 * start only, a working platform-wide admin token; creates its own topic; the token survives a
 * restart.
 */
class MainIT {

    @RegisterExtension
    static final KafkaExtension KAFKA = KafkaExtension.builder()
            .topics(List.of(ApiHarness.topics()).stream()
                    .filter(t -> io.fleetwarden.dashboard.kafka.OwnTopics.ALL.stream()
                            .noneMatch(o -> o.name().equals(t.name()))).toList()).build();

    @RegisterExtension
    static final TestInflux INFLUX = new TestInflux();

    @TempDir
    Path dir;

    Main.Started start(ByteArrayOutputStream out, Path config) throws Exception {
        return Main.run(new String[] {"--config", config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsTheUrlAndABootstrapAdminTokenOnceAndServes() throws Exception {
        Path config = dir.resolve("dashboard.properties");
        Files.writeString(config, String.join("\n", "http.port=0", "kafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
                "influx.url=" + INFLUX.url(), "influx.database=" + TestInflux.DATABASE, "data.dir=" + dir.resolve("data"), ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Main.Started first = start(out, config);
        String printed = out.toString(StandardCharsets.UTF_8);
        Matcher url = Pattern.compile("Fleetwarden dashboard: (http://127\\.0\\.0\\.1:\\d+/)").matcher(printed);
        Matcher token = Pattern.compile("Admin token .*: (fwt_\\S+)").matcher(printed);
        assertThat(url.find()).as(printed).isTrue();
        assertThat(token.find()).as(printed).isTrue();
        Path tokenFile = dir.resolve("data/admin-token");
        assertThat(Files.readString(tokenFile).trim()).isEqualTo(token.group(1));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        // created before Main returns; the listing may lag the controller by a moment (KRaft metadata)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(KAFKA.admin().listTopics().names().get()).contains(Topics.ALERT_TRIAGE,
                        io.fleetwarden.dashboard.kafka.OwnTopics.AUDIT, io.fleetwarden.dashboard.kafka.OwnTopics.AUDIT_DETAILS,
                        io.fleetwarden.dashboard.kafka.OwnTopics.ERASURES));
        org.apache.kafka.common.config.ConfigResource audit = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, io.fleetwarden.dashboard.kafka.OwnTopics.AUDIT);
        assertThat(KAFKA.admin().describeConfigs(List.of(audit)).all().get().get(audit).get("retention.ms").value())
                .as("the audit trail is never deleted by retention").isEqualTo("-1");

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> me = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url.group(1) + "api/v1/me")).header("Authorization", "Bearer " + token.group(1)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"platformWide\":true").contains("\"role\":\"admin\"");
        first.server().close();

        // a restart keeps the token and does not print a new one
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Main.Started second = start(again, config);
        try {
            assertThat(again.toString(StandardCharsets.UTF_8)).contains("Fleetwarden dashboard:").doesNotContain("Admin token");
        } finally {
            second.server().close();
        }
    }

    @Test
    void aMissingRequiredSettingStopsTheStartWithStatus2() throws Exception {
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "http.port=0\ndata.dir=" + dir.resolve("d") + "\n");
        assertThat(start(new ByteArrayOutputStream(), config).status()).isEqualTo(2);
        Files.writeString(config, "http.port=eighty\n");
        assertThat(start(new ByteArrayOutputStream(), config).status()).isEqualTo(2);
    }
}
