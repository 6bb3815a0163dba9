package io.fleetwarden.jobs.flink;

import java.time.Duration;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.api.common.functions.OpenContext;

import io.fleetwarden.jobs.alerts.StatusSignal;
import io.fleetwarden.jobs.detect.ConnectivityChange;
import io.fleetwarden.jobs.detect.Finding;
import io.fleetwarden.jobs.detect.SecurityRules;
import io.fleetwarden.jobs.detect.SecuritySubject;
import io.fleetwarden.jobs.influx.FleetSignal;
import io.fleetwarden.jobs.influx.HealthPoint;
import io.fleetwarden.jobs.influx.InfluxPoints;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.model.Alert;
import io.fleetwarden.model.DeviceErasure;
import io.fleetwarden.model.DeviceKeys;
import io.fleetwarden.model.DeviceLifecycleEvent;
import io.fleetwarden.model.DeviceStatus;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.Telemetry;

/**
 * The detection job's topology, independent of where records come from and go to: callers pass the
 * input streams (with event-time timestamps and watermarks already assigned) and get the output
 * streams, or pass sinks to {@link #attach}. {@link FleetDetectionJobMain} plugs in Kafka and
 * InfluxDB; tests plug in in-memory sources and sinks.
 *
 * <pre>
 * telemetry ── late filter ─┬─ device-detectors (device: connectivity + behaviour + firmware) ─┬─ findings ─────┐
 *                           │      ▲ verified security      ◄── broadcast catalog/advisories    ├─ changes ─ cohorts ┤
 *                           │                                                                  └─ peers ─ model ───┤
 *                           └─ status signals ─┐                                                                    ├─ alerts (subject+rule) ─► alerts
 * security ── late filter ─┬─ subjects ─ bursts (subject) ──────────────────────────────────────────────────────────┘        │
 *                          └─ connect/disconnect ─► device-detectors, status                                                 ▼
 *                                                    device status ◄── alerts ────────────────────────────────────────► fleet.device-status
 *                                                    fleet health / points ───────────────────────────────────────────► InfluxDB
 * </pre>
 * Cohort findings pass the {@code incidents} stage (key tenant) before the alert stage: cohort incidents describing
 * the same devices become one; {@code fleet.erasures} records join the device events. The model stage also hands each
 * device's closed hour, next to its peers' median for that hour, to {@code peer-ratios} (key device).
 */
public final class FleetDetectionJob {

    /**
     * Input streams with timestamps and watermarks assigned. {@code deviceEvents} (lifecycle events of
     * {@code fleet.device-events}, timestamped with their bounded event time) and {@code erasures} (the
     * {@code fleet.erasures} records, event time = erasure time) may be null: then there are no lifecycle events, and
     * nothing is erased.
     */
    public record Inputs(DataStream<Telemetry> telemetry, DataStream<SecurityEvent> securityEvents,
                         DataStream<ReferenceUpdate> reference, DataStream<DeviceLifecycleEvent> deviceEvents,
                         DataStream<DeviceErasure> erasures) {

        /** Without lifecycle events and erasures. */
        public Inputs(DataStream<Telemetry> telemetry, DataStream<SecurityEvent> securityEvents, DataStream<ReferenceUpdate> reference) {
            this(telemetry, securityEvents, reference, null, null);
        }
    }

    /**
     * Output streams. InfluxDB points come as two streams: {@code deviceHealthPoints} (one per telemetry
     * report, produced in the telemetry input's operator chain) and {@code eventPoints} (alerts and fleet
     * health). Sinking them separately keeps the per-report points inside the telemetry chain — no
     * serialisation, no shuffle; {@link #points()} is their union for readers that want all points.
     */
    public record Outputs(DataStream<Alert> alerts, DataStream<DeviceStatus> deviceStatus, DataStream<HealthPoint> deviceHealthPoints,
                          DataStream<HealthPoint> eventPoints, DataStream<Finding> findings) {

        /** All InfluxDB points (a union: sinking it moves every per-report point across a task boundary). */
        public DataStream<HealthPoint> points() {
            return deviceHealthPoints.union(eventPoints);
        }
    }

    /** Events later than this behind the watermark are counted and dropped; less late ones are counted and applied. */
    public static final Duration ALLOWED_LATENESS = Duration.ofMinutes(10);

    private FleetDetectionJob() {
    }

    /** Builds the topology and connects the sinks; {@code influx} may be null to skip InfluxDB. */
    public static Outputs attach(Inputs in, DetectionConfig cfg, Sink<Alert> alerts, Sink<DeviceStatus> status,
                                 Sink<HealthPoint> influx) {
        return attach(in, cfg, DEFAULT_READ_AHEAD, alerts, status, influx);
    }

    /** As {@link #attach(Inputs, DetectionConfig, Sink, Sink, Sink)}, with the sources' watermark drift as the read-ahead bound. */
    public static Outputs attach(Inputs in, DetectionConfig cfg, Duration readAhead, Sink<Alert> alerts, Sink<DeviceStatus> status,
                                 Sink<HealthPoint> influx) {
        Outputs out = build(in, cfg, readAhead);
        out.alerts().sinkTo(alerts).name("alerts-sink").uid("alerts-sink");
        out.deviceStatus().sinkTo(status).name("device-status-sink").uid("device-status-sink");
        if (influx != null) {
            // Two writers of the same sink: the per-report points are written from the telemetry chain itself.
            out.eventPoints().sinkTo(influx).name("influx-sink").uid("influx-sink");
            out.deviceHealthPoints().sinkTo(influx).name("influx-device-health-sink").uid("influx-device-health-sink");
        }
        return out;
    }

    /**
     * How far (event time) ahead of the per-device operator's watermark a security event is applied when the job is built
     * without its sources' drift: {@code KafkaWiring}'s default watermark drift ({@link DeviceFunction}, "Read-ahead bound").
     */
    public static final Duration DEFAULT_READ_AHEAD = Duration.ofMinutes(10);

    /** {@link #build(Inputs, DetectionConfig, Duration)} with {@link #DEFAULT_READ_AHEAD}. */
    public static Outputs build(Inputs in, DetectionConfig cfg) {
        return build(in, cfg, DEFAULT_READ_AHEAD);
    }

    /**
     * @param readAhead how far ahead of the watermark the per-device operator applies a security event (the sources' watermark
     *                  drift); one further ahead waits until the watermark is that close
     */
    public static Outputs build(Inputs in, DetectionConfig cfg, Duration readAhead) {
        DataStream<Telemetry> telemetry = in.telemetry()
                .process(new LateFilter<Telemetry>(ALLOWED_LATENESS.toMillis()), TypeInformation.of(Telemetry.class))
                .name("telemetry-lateness").uid("telemetry-lateness");
        DataStream<SecurityEvent> security = in.securityEvents()
                .process(new LateFilter<SecurityEvent>(ALLOWED_LATENESS.toMillis()), TypeInformation.of(SecurityEvent.class))
                .name("security-lateness").uid("security-lateness");

        // Compromise bursts per subject. Only events that count towards a burst rule cross the shuffle (not the
        // connects and disconnects, most of the security traffic): the others would change nothing there.
        SingleOutputStreamOperator<Finding> bursts = security
                .flatMap((SecurityEvent e, Collector<SubjectEvent> c) -> {
                    for (SecuritySubject s : SecuritySubject.of(e)) {
                        if (SecurityRules.counts(s, e)) {
                            c.collect(new SubjectEvent(s, e));
                        }
                    }
                })
                .returns(SubjectEvent.class)
                .name("security-subjects").uid("security-subjects")
                .keyBy(s -> s.key)
                .process(new SecurityBurstFunction(cfg))
                .name("security-bursts").uid("security-bursts");

        // All per-device detectors in one operator: one shuffle of each telemetry record, not three.
        BroadcastStream<ReferenceUpdate> reference = in.reference().broadcast(DeviceFunction.CATALOG, DeviceFunction.ADVISORIES);
        DataStream<DeviceEvent> deviceEvents = telemetry.map(new DeviceEvent.FromTelemetry()).returns(DeviceEvent.class)
                .name("device-telemetry").uid("device-telemetry")
                .union(security.flatMap(new DeviceEvent.FromVerifiedSecurityEvent()).returns(DeviceEvent.class)
                        .name("device-security").uid("device-security"));
        if (in.erasures() != null) {
            // Erasures reach the device where it is keyed: its state there, its alerts and its status are dropped.
            deviceEvents = deviceEvents.union(in.erasures().flatMap(new DeviceEvent.FromErasure()).returns(DeviceEvent.class)
                    .name("device-erasures").uid("device-erasures"));
        }
        if (in.deviceEvents() != null) {
            // Lifecycle events (boots, update results) reach the per-device rules in the same keyed stream.
            deviceEvents = deviceEvents.union(in.deviceEvents()
                    .process(new LateFilter<DeviceLifecycleEvent>(ALLOWED_LATENESS.toMillis()), TypeInformation.of(DeviceLifecycleEvent.class))
                    .name("device-events-lateness").uid("device-events-lateness")
                    .process(new DeviceEvent.FromLifecycleEvent()).returns(DeviceEvent.class)
                    .name("device-lifecycle").uid("device-lifecycle"));
        }
        SingleOutputStreamOperator<Finding> devices = deviceEvents.keyBy(DeviceEvent::deviceKey)
                .connect(reference)
                .process(new DeviceFunction(cfg, readAhead))
                .name("device-detectors").uid("device-detectors");
        DataStream<ConnectivityChange> changes = devices.getSideOutput(DeviceFunction.CHANGES);
        // Peer observations leave the device-detectors chain in batches per model, not one record per report.
        SingleOutputStreamOperator<Finding> modelPeers = devices.getSideOutput(DeviceFunction.PEERS)
                .transform("peer-batches", TypeInformation.of(PeerBatch.class), new PeerBatchOperator())
                .uid("peer-batches")
                .keyBy(PeerBatch::modelKey)
                .process(new ModelPeerFunction(cfg))
                .name("model-peers").uid("model-peers");
        // Each device's closed hour against its model's same-hour peers, judged per device (CMP-NET-004's slow horizon).
        DataStream<Finding> peerRatios = modelPeers.getSideOutput(ModelPeerFunction.HOURS)
                .keyBy(h -> DeviceKeys.of(h.tenant, h.deviceId))
                .process(new PeerRatioFunction(cfg))
                .name("peer-ratios").uid("peer-ratios");
        DataStream<Finding> peers = modelPeers.union(peerRatios);

        // Cohorts: every change once per dimension.
        DataStream<Finding> cohorts = changes
                .flatMap((ConnectivityChange c, Collector<ConnectivityChange> o) -> {
                    for (String d : new String[] {"model", "region", "broker"}) {
                        ConnectivityChange copy = c.forCohort(d);
                        if (copy != null) {
                            o.collect(copy);
                        }
                    }
                })
                .returns(ConnectivityChange.class)
                .name("cohort-fanout").uid("cohort-fanout")
                .keyBy(c -> c.cohortKey)
                .process(new CohortFunction(cfg))
                .name("cohorts").uid("cohorts")
                // One physical event, one incident: cohorts of a tenant describing the same devices fold together.
                .keyBy(f -> f.tenant)
                .process(new IncidentFunction(cfg))
                .name("incidents").uid("incidents");

        DataStream<Finding> findings = bursts.union(devices, peers, cohorts);
        SingleOutputStreamOperator<Alert> alerts = findings
                .keyBy(Finding::alertKey)
                .process(new AlertFunction())
                .name("alerts").uid("alerts");

        // Device status and posture.
        // Throttled in the per-device operator: real changes always, lastSeen-only refreshes once a minute.
        DataStream<StatusSignal> signals = devices.getSideOutput(DeviceFunction.STATUS);
        SingleOutputStreamOperator<DeviceStatus> status = alerts
                .filter(a -> a.getDeviceId() != null).name("device-alerts").uid("device-alerts")
                .keyBy(a -> DeviceKeys.of(a.getTenant(), a.getDeviceId()))
                .connect(signals.keyBy(s -> s.key != null ? s.key : DeviceKeys.of(s.tenant, s.deviceId)))
                .process(new DeviceStatusFunction(cfg))
                .name("device-status").uid("device-status");

        // InfluxDB points.
        DataStream<FleetSignal> fleetSignals = changes.map(FleetSignal::of).name("fleet-from-changes").uid("fleet-from-changes")
                .union(alerts.flatMap((Alert a, Collector<FleetSignal> c) -> {
                    FleetSignal s = FleetSignal.of(a);
                    if (s != null) {
                        c.collect(s);
                    }
                }).returns(FleetSignal.class).name("fleet-from-alerts").uid("fleet-from-alerts"),
                        status.getSideOutput(DeviceStatusFunction.FIRMWARE));
        DataStream<HealthPoint> deviceHealth = telemetry.map(InfluxPoints::deviceHealth).name("device-health-points").uid("device-health-points");
        DataStream<HealthPoint> eventPoints = alerts.map(InfluxPoints::alert).name("alert-points").uid("alert-points")
                .union(fleetSignals.keyBy(s -> s.tenant).process(new FleetHealthFunction())
                        .name("fleet-health").uid("fleet-health"));
        return new Outputs(alerts, status, deviceHealth, eventPoints, findings);
    }

    static String deviceKey(Telemetry t) {
        return DeviceKeys.of(t.getTenant(), t.getDeviceId());
    }

    static String deviceKey(SecurityEvent e) {
        return DeviceKeys.of(e.getTenant(), e.getDeviceId());
    }

    /**
     * Counts events behind the watermark ({@code lateEvents}) and passes them on (the rules tolerate
     * disorder); events more than the allowed lateness behind are counted ({@code droppedLateEvents})
     * and dropped, because the windows they belong to were decided long ago.
     */
    static final class LateFilter<T> extends ProcessFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private final long allowedLatenessMs;
        private transient Counter late;
        private transient Counter dropped;

        LateFilter(long allowedLatenessMs) {
            this.allowedLatenessMs = allowedLatenessMs;
        }

        @Override
        public void open(OpenContext ctx) {
            late = getRuntimeContext().getMetricGroup().counter("lateEvents");
            dropped = getRuntimeContext().getMetricGroup().counter("droppedLateEvents");
        }

        @Override
        public void processElement(T value, Context ctx, Collector<T> out) {
            Long ts = ctx.timestamp();
            long wm = ctx.timerService().currentWatermark();
            if (ts != null && ts < wm) {
                late.inc();
                if (wm - ts > allowedLatenessMs) {
                    dropped.inc();
                    return;
                }
            }
            out.collect(value);
        }
    }
}
