package io.fleetwarden.broker.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fleetwarden.testsupport.Sboms;
import io.fleetwarden.testsupport.Sboms.Component;
import io.fleetwarden.testsupport.Sboms.Sbom;

/**
 * The build's CycloneDX SBOMs for the launcher (the module jar with what it runs with, HiveMQ CE
 * included) and for the extension zip (without what HiveMQ provides) list the HiveMQ and Kafka versions
 * the parent POM pins.
 */
class SbomIT {

    @Test
    void launcherSbomListsThePinnedHiveMqAndKafka() {
        Sbom sbom = Sboms.ofThisModule("");
        assertThat(sbom.subject()).startsWith("pkg:maven/io.fleetwarden/broker-extension@");
        assertThat(sbom.find("com.hivemq", "hivemq-community-edition-embedded")).map(Component::version)
                .contains(Sboms.pinned("hivemq-ce.version"));
        assertThat(sbom.find("com.hivemq", "hivemq-extension-sdk")).map(Component::version)
                .contains(Sboms.pinned("hivemq-extension-sdk.version"));
        assertThat(sbom.find("org.apache.kafka", "kafka-clients")).map(Component::version)
                .contains(Sboms.pinned("kafka.version"));
        assertThat(sbom.find("io.fleetwarden", "event-model")).isPresent();
    }

    @Test
    void extensionZipSbomListsKafkaButNotWhatHiveMqProvides() {
        Sbom sbom = Sboms.ofThisModule("hivemq-extension");
        assertThat(sbom.find("org.apache.kafka", "kafka-clients")).map(Component::version)
                .contains(Sboms.pinned("kafka.version"));
        assertThat(sbom.find("com.hivemq", "hivemq-community-edition-embedded")).isEmpty();
        assertThat(sbom.find("com.hivemq", "hivemq-extension-sdk")).isEmpty();
    }
}
