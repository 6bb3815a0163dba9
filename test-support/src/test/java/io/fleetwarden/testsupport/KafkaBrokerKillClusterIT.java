package io.fleetwarden.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fleetwarden.model.Topics;

/**
 * Three KRaft nodes as separate processes with the event model's topics at replication factor 3 and
 * {@code min.insync.replicas=2}; one node is killed with {@code SIGKILL} while an idempotent {@code acks=all}
 * producer writes telemetry, and every acknowledged record must be on the topic exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaBrokerKillClusterIT {

    @RegisterExtension
    static final KafkaCluster KAFKA = KafkaCluster.builder().build();

    @Test
    @Order(1)
    void everyTopicIsReplicatedThreeTimesWithMinIsrTwo() throws Exception {
        for (var spec : Topics.ALL) {
            Map<Integer, List<Integer>> isr = KAFKA.isr(spec.name());
            assertThat(isr).as(spec.name()).hasSize(spec.partitions());
            assertThat(isr.values()).as(spec.name()).allSatisfy(nodes -> assertThat(nodes).containsExactly(1, 2, 3));
            Config config = KAFKA.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, spec.name())))
                    .all().get(10, TimeUnit.SECONDS).values().iterator().next();
            assertThat(config.get("min.insync.replicas").value()).as(spec.name()).isEqualTo("2");
            assertThat(config.get("cleanup.policy").value()).as(spec.name()).isEqualTo(spec.compacted() ? "compact" : "delete");
        }
        assertThat(KAFKA.bootstrapServers().split(",")).hasSize(3);
        assertThat(Set.of(KAFKA.pid(1), KAFKA.pid(2), KAFKA.pid(3))).hasSize(3).doesNotContain(ProcessHandle.current().pid());
    }

    @Test
    @Order(2)
    void killingALeaderUnderLoadLosesAndDuplicatesNothing() throws Exception {
        int total = 30_000;
        int killAt = total / 3;
        int victim = KAFKA.leaderOf(Topics.TELEMETRY, 0);
        assertThat(victim).isBetween(1, 3);

        Map<String, Object> props = new HashMap<>(KAFKA.producerProps());
        props.put("linger.ms", 5);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Map<String, Exception> failed = new ConcurrentHashMap<>();
        AtomicLong ackedAfterKill = new AtomicLong();
        long killedAt = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < total; i++) {
                String id = "m-" + i;
                boolean afterKill = killedAt != 0;
                producer.send(new ProducerRecord<>(Topics.TELEMETRY, "acme/dev-" + (i % 500), id), (md, e) -> {
                    if (e == null) {
                        acked.add(id);
                        if (afterKill) {
                            ackedAfterKill.incrementAndGet();
                        }
                    } else {
                        failed.put(id, e);
                    }
                });
                if (i == killAt) {
                    producer.flush();
                    KAFKA.kill(victim);
                    killedAt = System.nanoTime();
                }
                if (i % 1000 == 0) {
                    Thread.sleep(20); // a steady stream rather than one burst
                }
            }
            producer.flush();
        }
        assertThat(KAFKA.isRunning(victim)).isFalse();
        assertThat(failed).as("sends that failed").isEmpty();
        assertThat(acked).hasSize(total);
        assertThat(ackedAfterKill.get()).as("records acknowledged after the kill").isEqualTo(total - killAt - 1);
        // partition 0 has a new leader among the survivors, and the dead node left every ISR
        assertThat(KAFKA.leaderOf(Topics.TELEMETRY, 0)).isNotEqualTo(victim).isPositive();
        assertThat(KAFKA.isr(Topics.TELEMETRY).values()).allSatisfy(isr -> assertThat(isr).doesNotContain(victim).hasSize(2));

        List<ConsumerRecord<String, String>> read = KAFKA.consume(Topics.TELEMETRY, total, Duration.ofSeconds(60));
        Map<String, Long> counts = read.stream().collect(Collectors.groupingBy(ConsumerRecord::value, Collectors.counting()));
        assertThat(counts.keySet()).as("ids on the topic").containsExactlyInAnyOrderElementsOf(acked);
        assertThat(counts.values().stream().filter(c -> c > 1).count()).as("ids written twice").isZero();
        assertThat(read).hasSize(total);

        // the node comes back with its data and rejoins every ISR
        KAFKA.restart(victim);
        assertThat(KAFKA.isr(Topics.TELEMETRY).values()).allSatisfy(isr -> assertThat(isr).containsExactly(1, 2, 3));
    }
}
