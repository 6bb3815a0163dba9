package io.fleetwarden.jobs.detect;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.fleetwarden.jobs.flink.HandSerializedTypeInfo;
import io.fleetwarden.jobs.flink.PeerObservationSerializer;

/**
 * One device report as the model-peer stage sees it: made by device-detectors for every telemetry report and
 * handed, in the same operator chain, to {@link io.fleetwarden.jobs.flink.PeerBatchOperator}, which sends
 * them to the model-peer stage in batches per model.
 */
@TypeInfo(PeerObservation.TypeInfoFactory.class)
public class PeerObservation {

    /** Attaches {@link PeerObservationSerializer} wherever Flink derives this type's information. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<PeerObservation> {
        @Override
        public TypeInformation<PeerObservation> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new HandSerializedTypeInfo<>(PeerObservation.class, PeerObservationSerializer::new);
        }
    }

    public String tenant;
    public String model;
    public String deviceId;
    public long timestamp;
    public double bytesOutPerSecond;
    public List<Integer> listeningPorts = new ArrayList<>();
    /**
     * Messages of the device's one-minute bucket that this report closed, or -1 when it closed none (filled in by
     * {@link BehaviourRules}; the first-hour rule CMP-RATE-003 scores it against the model).
     */
    public int messagesPerMinute = -1;
    /** Whether the device's own message-rate baseline is ready (then CMP-RATE-001 judges it, not the model prior). */
    public boolean ownRateReady;
    /**
     * Whether this report may teach the model's per-report baselines (traffic, CPU, memory): true for the first
     * {@link BehaviourRules#PEER_SAMPLES_PER_MINUTE} reports of each minute of the device (filled in by
     * {@link BehaviourRules}). Every report is still judged; a device publishing faster only stops adding weight.
     */
    public boolean teachesPeers = true;
    /**
     * Whether the device has an outbound-traffic baseline of its own (filled in by {@link BehaviourRules}); false for a
     * device in its first reports, whose model's peers are its only prior (CMP-RATE-002 then judges it at {@code peer.k}).
     */
    public boolean trafficOwnKnown;
    /**
     * Whether this report's outbound traffic is far above the device's own baseline: {@code traffic.k} robust deviations
     * of it (25 % floor, so at least 4x its level), as CMP-NET-004 judges a spike, but with {@code peer.trafficFloor} as
     * the absolute floor.
     */
    public boolean trafficOwnHigh;
    /** Reported CPU and memory use in percent (NaN when not reported). */
    public double cpuPercent = Double.NaN;
    public double memoryPercent = Double.NaN;
    /**
     * The device's resource use against its own baseline (filled in by {@link ResourceRules}): 0 when it has no
     * baseline of its own yet (its model's peers are the only prior), else {@link #OWN_KNOWN} with the bits of the
     * quantities far above it.
     */
    public byte resourcesOwn;
    /**
     * The device's mean outbound bytes per second over the event-time hour starting at {@link #hourStart} that this
     * report closed (filled in by {@link BehaviourRules}; NaN when it closed none): the device's one vote in its model's
     * same-hour peer median, and what CMP-NET-004's slow horizon compares with it.
     */
    public double hourBytesOut = Double.NaN;
    /** Start of the closed hour of {@link #hourBytesOut} (epoch millis), MIN_VALUE when none. */
    public long hourStart = Long.MIN_VALUE;
    /**
     * The device's region (null when unknown): its peers at the same hour are the model's devices in it (CMP-NET-004's
     * closed hours, CMP-RATE-002's same-region traffic baseline).
     */
    public String region;

    /** The device has a resource baseline of its own. */
    public static final byte OWN_KNOWN = 1;
    /** CPU far above the device's own baseline. */
    public static final byte OWN_CPU_HIGH = 2;
    /** Memory far above the device's own baseline. */
    public static final byte OWN_MEMORY_HIGH = 4;

    public PeerObservation() {
    }

    /** The model-peer key, computed once per observation (the partitioner and the receiving operator both ask). */
    private transient String key;

    public String modelKey() {
        if (key == null) {
            key = modelKey(tenant, model);
        }
        return key;
    }

    /** The model-peer key of a tenant's model. */
    public static String modelKey(String tenant, String model) {
        return tenant + "|model=" + model;
    }
}
