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
