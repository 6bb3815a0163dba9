package io.fleetwarden.jobs.flink;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import io.fleetwarden.jobs.detect.PeerObservation;

/**
 * Peer observations of one model (same tenant and model), in the order one device-detectors subtask made
 * them: what crosses the shuffle to the model-peer stage instead of one record per report (see
 * {@link PeerBatchOperator}). Hand-serialised ({@link PeerBatchSerializer}): tenant and model once per batch.
 */
@TypeInfo(PeerBatch.TypeInfoFactory.class)
public class PeerBatch {

    /** Attaches {@link PeerBatchSerializer} wherever Flink derives this type's information. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<PeerBatch> {
        @Override
        public TypeInformation<PeerBatch> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new HandSerializedTypeInfo<>(PeerBatch.class, PeerBatchSerializer::new);
        }
    }

    public String tenant;
    public String model;
    /** Each with this batch's tenant and model. */
    public List<PeerObservation> observations = new ArrayList<>();

    private transient String key;

    public PeerBatch() {
    }

    PeerBatch(String tenant, String model, int capacity) {
        this.tenant = tenant;
        this.model = model;
        this.observations = new ArrayList<>(capacity);
    }

    /** The model-peer key, as {@link PeerObservation#modelKey()} of every observation in it. */
    public String modelKey() {
        if (key == null) {
            key = PeerObservation.modelKey(tenant, model);
        }
        return key;
    }
}
