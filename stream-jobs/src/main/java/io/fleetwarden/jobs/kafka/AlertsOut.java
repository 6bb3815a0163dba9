package io.fleetwarden.jobs.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.fleetwarden.model.Alert;
import io.fleetwarden.model.codec.Codecs;

/**
 * Writes alert revisions to {@code fleet.alerts} (key = alert id) and counts them at the sink, per
 * rule and status: metric {@code alerts_out} with the labels {@code rule} and {@code status}
 * ({@code flink_taskmanager_job_task_operator_user_fleetwarden_rule_status_alerts_out} from Flink's
 * Prometheus reporter, which writes {@code CMP-AUTH-002} as {@code CMP_AUTH_002}). The count is taken when a revision is handed to the Kafka producer: with the
 * exactly-once sink, a failover may count the revisions of a transaction that was then aborted and
 * written again. Rule ids come from the job's catalogue, so the label set is bounded.
 */
final class AlertsOut implements KafkaRecordSerializationSchema<Alert> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> counters;

    AlertsOut(String topic) {
        this.topic = topic;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        metrics = context.getMetricGroup().addGroup("fleetwarden");
        counters = new HashMap<>();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Alert a, KafkaSinkContext ctx, Long timestamp) {
        if (metrics != null) {
            String rule = a.getRuleId();
            String status = String.valueOf(a.getStatus());
            counters.computeIfAbsent(rule + '\n' + status,
                    k -> metrics.addGroup("rule", rule).addGroup("status", status).counter("alerts_out")).inc();
        }
        return new ProducerRecord<>(topic, null, null, Serializers.utf8(a.getAlertId()), Codecs.ALERT.encode(a));
    }
}
