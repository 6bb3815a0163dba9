package io.fleetwarden.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class JobOptionsTest {

    private static JobOptions parse(String... args) {
        return JobOptions.parse(args);
    }

    @Test
    void parsesTheLocalRunArguments() {
        JobOptions o = parse("--bootstrap-servers", "127.0.0.1:9092", "--influx-url", "http://127.0.0.1:8086",
                "--influx-db", "fw", "--checkpoint-dir", "/tmp/cp", "--checkpoint-interval", "2s", "--rule", "offline.factor=4");
        assertThat(o.bootstrapServers).isEqualTo("127.0.0.1:9092");
        assertThat(o.influxUrl).isEqualTo("http://127.0.0.1:8086");
        assertThat(o.influxDatabase).isEqualTo("fw");
        assertThat(o.checkpointDir).isEqualTo("/tmp/cp");
        assertThat(o.checkpointInterval).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.detectionConfig().offlineFactor).isEqualTo(4.0);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        JobOptions o = parse("--bootstrap-servers", "k:9092");
        assertThat(o.influxUrl).isNull();
        assertThat(o.influxDatabase).isEqualTo("fleetwarden");
        assertThat(o.influxBatchSize).isEqualTo(5000);
        assertThat(o.influxUser).isNull();
        assertThat(o.influxPasswordFile).isNull();
        assertThat(o.checkpointDir).isNull();
        assertThat(o.checkpointInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.groupId).isEqualTo("fleetwarden-stream-jobs");
        assertThat(o.transactionalIdPrefix).isEqualTo("fleetwarden-stream-jobs");
        assertThat(o.parallelism).isEqualTo(2);
        assertThat(o.idleness).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.outOfOrderness).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.watermarkDrift).as("above the idleness").isEqualTo(Duration.ofMinutes(10));
        assertThat(o.delivery).as("exactly-once stays the default").isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(o.bufferTimeout).isEqualTo(Duration.ofMillis(100));
        assertThat(o.rules).isEmpty();
        assertThat(o.metricsPort).as("no Prometheus reporter by default").isEqualTo(-1);
        assertThat(o.healthPort).as("no health endpoint by default").isEqualTo(-1);
        assertThat(o.healthBindAddress).isEqualTo("127.0.0.1");
        assertThat(o.helpRequested).isFalse();
    }

    @Test
    void observabilityOptionsAreReadAndPortsChecked() {
        JobOptions o = parse("--bootstrap-servers", "k:9092", "--metrics-port", "9249", "--health-port", "0",
                "--health-bind", "0.0.0.0");
        assertThat(o.metricsPort).isEqualTo(9249);
        assertThat(o.healthPort).as("0 picks a free port").isZero();
        assertThat(o.healthBindAddress).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--metrics-port", "65536"))
                .hasMessageContaining("--metrics-port").hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--health-port", "-1"))
                .hasMessageContaining("--health-port").hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--health-port", "http"))
                .hasMessageContaining("--health-port").hasMessageContaining("'http'");
        assertThat(JobOptions.usage()).contains("--metrics-port", "--health-port", "--health-bind");
    }

    @Test
    void everyOptionIsRead() {
        JobOptions o = parse("--bootstrap-servers", "a:1,b:2", "--influx-batch", "7", "--group-id", "g",
                "--transactional-id-prefix", "t", "--parallelism", "4", "--idleness", "PT1M", "--out-of-orderness", "0s", "--watermark-drift", "5m",
                "--delivery", "at-least-once", "--buffer-timeout", "0ms", "--rule", "offline.factor=4",
                "--rule", "firmware.grace=P10D");
        assertThat(o.influxBatchSize).isEqualTo(7);
        assertThat(o.groupId).isEqualTo("g");
        assertThat(o.transactionalIdPrefix).isEqualTo("t");
        assertThat(o.parallelism).isEqualTo(4);
        assertThat(o.idleness).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.outOfOrderness).isZero();
        assertThat(o.watermarkDrift).isEqualTo(Duration.ofMinutes(5));
        assertThat(o.delivery).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(o.bufferTimeout).isZero();
        assertThat(o.rules).containsExactly(java.util.Map.entry("offline.factor", "4"), java.util.Map.entry("firmware.grace", "P10D"));
    }

    @Test
    void durationsTakeTheOneSyntax() {
        assertThat(parse("--bootstrap-servers", "k:9092", "--checkpoint-interval", "PT0.5S").checkpointInterval)
                .isEqualTo(Duration.ofMillis(500));
        assertThat(parse("--bootstrap-servers", "k:9092", "--checkpoint-interval", "1500ms").checkpointInterval)
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(parse("--bootstrap-servers", "k:9092", "--idleness", "1d").idleness).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void refusesMissingOrBadOptionsWithTheirName() {
        assertThatThrownBy(() -> parse("--influx-url", "http://x")).hasMessageContaining("--bootstrap-servers is required");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--parallelism", "0"))
                .hasMessageContaining("--parallelism").hasMessageContaining("positive");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--parallelism", "two"))
                .hasMessageContaining("--parallelism").hasMessageContaining("'two'");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--influx-batch", "-1"))
                .hasMessageContaining("--influx-batch");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--influx-password-file", "/run/pw"))
                .hasMessageContaining("--influx-password-file needs --influx-user");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--influx-user", "a\"b"))
                .hasMessageContaining("--influx-user").hasMessageContaining("[A-Za-z0-9._-]");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--rule", "nope=1"))
                .hasMessageContaining("--rule").hasMessageContaining("unknown key 'nope'");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--rule", "offline.factor"))
                .hasMessageContaining("--rule").hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--frobnicate", "1"))
                .hasMessageContaining("--frobnicate");
        assertThatThrownBy(() -> parse("--bootstrap-servers")).hasMessageContaining("--bootstrap-servers")
                .hasMessageContaining("Missing required parameter");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--delivery", "maybe-once"))
                .hasMessageContaining("--delivery").hasMessageContaining("exactly-once or at-least-once");
    }

    @Test
    void refusesHostileDurationsNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--checkpoint-interval", "-5s"))
                .hasMessageContaining("--checkpoint-interval").hasMessageContaining("'-5s'");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--checkpoint-interval", "0s"))
                .hasMessageContaining("--checkpoint-interval").hasMessageContaining("positive");
        assertThat(parse("--bootstrap-servers", "k:9092", "--watermark-drift", "0s").watermarkDrift).as("alignment off").isZero();
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--watermark-drift", "-1m"))
                .hasMessageContaining("--watermark-drift").hasMessageContaining("'-1m'");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--idleness", "99999999999999999999d"))
                .hasMessageContaining("--idleness").hasMessageContaining("maximum");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--buffer-timeout", ""))
                .hasMessageContaining("--buffer-timeout").hasMessageContaining("empty");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "k:9092", "--out-of-orderness", "5 seconds"))
                .hasMessageContaining("--out-of-orderness").hasMessageContaining("'5 seconds'");
    }

    @Test
    void helpListsEveryOptionAndNeedsNothingElse() {
        JobOptions o = parse("--help");
        assertThat(o.helpRequested).isTrue();
        assertThat(JobOptions.usage()).contains("--bootstrap-servers", "--influx-url", "--influx-db", "--influx-batch",
                "--checkpoint-dir", "--checkpoint-interval", "--group-id", "--transactional-id-prefix", "--parallelism",
                "--idleness", "--out-of-orderness", "--watermark-drift", "--delivery", "--buffer-timeout", "--rule", "--help",
                "default fleetwarden", "default 5000");
    }

    @Test
    void clockSkewDefaultsToBrokerTimeAndStaysWithinTheAllowedLateness() {
        assertThat(JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092"}).clockSkew).isEqualTo(Duration.ZERO);
        assertThat(JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--clock-skew", "10m"}).clockSkew)
                .isEqualTo(Duration.ofMinutes(10));
        for (String bad : new String[] {"-1s", "11m", "PT10M0.001S", "soon"}) {
            assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--clock-skew", bad}))
                    .as(bad).hasMessageContaining("--clock-skew");
        }
    }
}
