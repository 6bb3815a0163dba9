package io.fleetwarden.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class JobOptionsTest {

    @Test
    void parsesTheLocalRunArguments() {
        JobOptions o = JobOptions.parse(new String[] {"--bootstrap-servers", "127.0.0.1:9092", "--influx-url", "http://127.0.0.1:8086",
                "--influx-db", "fw", "--checkpoint-dir", "/tmp/cp", "--checkpoint-interval", "2s", "--rule", "offline.factor=4"});
        assertThat(o.bootstrapServers).isEqualTo("127.0.0.1:9092");
        assertThat(o.influxDatabase).isEqualTo("fw");
        assertThat(o.checkpointInterval).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.detectionConfig().offlineFactor).isEqualTo(4.0);
    }

    @Test
    void refusesMissingOrBadOptionsWithTheirName() {
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--influx-url", "http://x"})).hasMessageContaining("--bootstrap-servers is required");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--parallelism", "0"}))
                .hasMessageContaining("--parallelism");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--rule", "nope=1"}))
                .hasMessageContaining("unknown key 'nope'");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--frobnicate", "1"}))
                .hasMessageContaining("--frobnicate");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--delivery", "maybe-once"}))
                .hasMessageContaining("--delivery").hasMessageContaining("exactly-once or at-least-once");
        assertThat(JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092"}).delivery)
                .as("exactly-once stays the default").isEqualTo(org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--delivery", "at-least-once"}).delivery)
                .isEqualTo(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void clockSkewDefaultsToTwoMinutesAndStaysWithinTheAllowedLateness() {
        assertThat(JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092"}).clockSkew).isEqualTo(Duration.ofMinutes(2));
        assertThat(JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--clock-skew", "10m"}).clockSkew)
                .isEqualTo(Duration.ofMinutes(10));
        for (String bad : new String[] {"0s", "-1s", "11m", "PT10M0.001S", "soon"}) {
            assertThatThrownBy(() -> JobOptions.parse(new String[] {"--bootstrap-servers", "k:9092", "--clock-skew", bad}))
                    .as(bad).hasMessageContaining("--clock-skew");
        }
    }
}
