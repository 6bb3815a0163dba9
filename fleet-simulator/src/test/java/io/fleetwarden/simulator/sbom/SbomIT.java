package io.fleetwarden.simulator.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fleetwarden.testsupport.Sboms;
import io.fleetwarden.testsupport.Sboms.Component;
import io.fleetwarden.testsupport.Sboms.Sbom;

/** The build writes a CycloneDX SBOM for the fleet simulator that lists the Kafka version the parent POM pins. */
class SbomIT {

    @Test
    void sbomDescribesThisArtifactAndListsThePinnedKafka() {
        Sbom sbom = Sboms.ofThisModule("");
        assertThat(sbom.subject()).startsWith("pkg:maven/io.fleetwarden/fleet-simulator@");
        assertThat(sbom.find("org.apache.kafka", "kafka-clients")).map(Component::version)
                .contains(Sboms.pinned("kafka.version"));
        assertThat(sbom.find("io.fleetwarden", "event-model")).isPresent();
    }
}
