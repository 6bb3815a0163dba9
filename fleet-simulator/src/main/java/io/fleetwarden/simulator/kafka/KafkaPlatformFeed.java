package io.fleetwarden.simulator.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.Topics;
import io.fleetwarden.model.codec.Codecs;
import io.fleetwarden.model.kafka.KafkaClientSecurity;

/**
 * Publishes catalog entries (key = model) to {@link Topics#FIRMWARE_CATALOG} and advisories
 * (key = advisory id) to {@link Topics#ADVISORIES}, Avro-encoded with the shared {@link Codecs}.
 */
public final class KafkaPlatformFeed implements PlatformFeed {

    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaProducer<String, byte[]> producer;

    public KafkaPlatformFeed(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "fleet-simulator");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        KafkaClientSecurity.configured().applyTo(p);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void publishCatalog(List<FirmwareCatalogEntry> entries) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (FirmwareCatalogEntry e : entries) {
            sent.add(producer.send(new ProducerRecord<>(Topics.FIRMWARE_CATALOG, e.getModel(), Codecs.FIRMWARE_CATALOG.encode(e))));
        }
        await(sent, Topics.FIRMWARE_CATALOG);
    }

    @Override
    public void publishAdvisories(List<Advisory> advisories) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Advisory a : advisories) {
            sent.add(producer.send(new ProducerRecord<>(Topics.ADVISORIES, a.getAdvisoryId(), Codecs.ADVISORY.encode(a))));
        }
        await(sent, Topics.ADVISORIES);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    private static void await(List<Future<RecordMetadata>> sent, String topic) {
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing to " + topic, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot publish to " + topic + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
