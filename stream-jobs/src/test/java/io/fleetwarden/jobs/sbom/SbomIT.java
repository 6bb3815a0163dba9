package io.fleetwarden.jobs.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fleetwarden.testsupport.Sboms;
import io.fleetwarden.testsupport.Sboms.Component;
import io.fleetwarden.testsupport.Sboms.Sbom;

/**
 * The build's CycloneDX SBOM of the job (the job jar and the Flink runtime it runs on, which the
 * image and the local run bring) lists the Flink, Flink Kafka connector and Kafka versions the parent POM pins.
 */
class SbomIT {

    @Test
    void jobSbomListsThePinnedFlinkAndKafka() {
        Sbom sbom = Sboms.ofThisModule("");
        assertThat(sbom.subject()).startsWith("pkg:maven/io.fleetwarden/stream-jobs@");
        for (String flink : new String[] {"flink-streaming-java", "flink-runtime", "flink-clients"}) {
            assertThat(sbom.find("org.apache.flink", flink)).as(flink).map(Component::version)
                    .contains(Sboms.pinned("flink.version"));
        }
        assertThat(sbom.find("org.apache.flink", "flink-connector-kafka")).map(Component::version)
                .contains(Sboms.pinned("flink-connector-kafka.version"));
        assertThat(sbom.find("org.apache.kafka", "kafka-clients")).map(Component::version)
                .contains(Sboms.pinned("kafka.version"));
    }
}
