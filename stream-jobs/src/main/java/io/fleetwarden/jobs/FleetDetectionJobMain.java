package io.fleetwarden.jobs;

import java.time.Duration;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.fleetwarden.jobs.flink.FleetDetectionJob;
import io.fleetwarden.jobs.influx.InfluxSink;
import io.fleetwarden.jobs.kafka.KafkaWiring;

/**
 * Entry point of the job jar on a Flink cluster ({@code flink run stream-jobs-*-job.jar --bootstrap-servers ...}):
 * Kafka in, alerts and device status to Kafka exactly-once, series to InfluxDB. The cluster's own
 * configuration decides state backend and restart strategy; checkpointing is switched on here
 * because the exactly-once sinks depend on it.
 */
public final class FleetDetectionJobMain {

    private FleetDetectionJobMain() {
    }

    public static void main(String[] args) throws Exception {
        JobOptions o = JobOptions.parse(args);
        if (o.helpRequested) {
            System.out.print(JobOptions.usage());
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(checkpointing(o));
        build(env, o);
        env.execute("fleetwarden-detection");
    }

    /** Checkpoint settings shared by the cluster and the local run. */
    static Configuration checkpointing(JobOptions o) {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, o.checkpointInterval);
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (o.checkpointDir != null) {
            c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, toUri(o.checkpointDir));
        }
        return c;
    }

    static String toUri(String dir) {
        return dir.contains("://") ? dir : java.nio.file.Path.of(dir).toAbsolutePath().toUri().toString();
    }

    /** Wires Kafka, the topology and the sinks into {@code env}. */
    public static FleetDetectionJob.Outputs build(StreamExecutionEnvironment env, JobOptions o) {
        env.setParallelism(o.parallelism);
        env.configure(checkpointing(o)); // exactly-once sinks need checkpoints, whoever created env
        // No operator mutates or keeps its input records, so chained operators may share them instead of deep-copying Avro records.
        env.getConfig().enableObjectReuse();
        env.setBufferTimeout(o.bufferTimeout.toMillis());
        KafkaWiring kafka = new KafkaWiring(o.bootstrapServers, o.groupId, o.outOfOrderness, o.idleness, o.clockSkew, o.watermarkDrift);
        // The per-device operator applies no security event further ahead of both the device's own reports and its watermark
        // than alignment lets the sources read (it cannot hold that before its first round, at a start on a backlog);
        // without alignment, the default.
        Duration readAhead = o.watermarkDrift.isZero() ? FleetDetectionJob.DEFAULT_READ_AHEAD : o.watermarkDrift;
        return FleetDetectionJob.attach(kafka.inputs(env), o.detectionConfig(), readAhead,
                kafka.alertSink(o.transactionalIdPrefix, o.delivery), kafka.deviceStatusSink(o.transactionalIdPrefix, o.delivery),
                o.influxUrl == null ? null : new InfluxSink(o.influxUrl, o.influxDatabase, o.influxBatchSize,
                        new InfluxSink.Credentials(o.influxUser, o.influxPasswordFile)));
    }
}
