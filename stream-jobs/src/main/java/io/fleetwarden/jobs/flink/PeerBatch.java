package io.fleetwarden.jobs.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;

import io.fleetwarden.jobs.detect.PeerObservation;

/**
 * Peer observations of one model (same tenant and model), in the order one device-detectors subtask made
 * them: what crosses the shuffle to the model-peer stage instead of one record per report (see
 * {@link PeerBatchOperator}). Hand-serialised ({@link PeerBatchSerializer}): tenant and model once per batch.
 *
 * <p>Observations are <b>encoded when added</b> (device id, time, outbound rate, listening ports, in
 * {@link PeerObservationSerializer}'s format), while the
 * report they come from is still in the CPU cache; {@link #observations()} decodes them. Keeping the objects
 * until the batch is sent instead meant walking hundreds of cold observations, strings and port lists at send
 * time: in the benchmark profile that cost more than everything else the model-peer path does.
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
    /** Number of observations in {@link #encoded}. */
    int count;
    /** The observations, encoded one after the other (see {@link #add}). */
    DataOutputSerializer encoded;
    /** Time of the observation added last (sender side only: the time of the record that carries the batch). */
    transient long lastTimestamp = Long.MIN_VALUE;

    private transient String key;
    /** Encodes and decodes the observations ({@link PeerObservationSerializer}'s format without tenant and model). */
    private transient PeerObservationSerializer codec;

    public PeerBatch() {
        this(null, null, 64);
    }

    public PeerBatch(String tenant, String model, int expectedObservations) {
        this.tenant = tenant;
        this.model = model;
        this.encoded = new DataOutputSerializer(Math.max(64, expectedObservations * 32));
    }

    /** Appends an observation of this batch's tenant and model (its tenant and model are not stored again). */
    public void add(PeerObservation o) {
        try {
            codec().writeBody(o, encoded);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a growing in-memory buffer does not fail
        }
        count++;
        lastTimestamp = o.timestamp;
    }

    /** Number of observations. */
    public int size() {
        return count;
    }

    /** The observations in the order they were added, decoded into new objects (with this batch's tenant and model). */
    public List<PeerObservation> observations() {
        List<PeerObservation> out = new ArrayList<>(count);
        DataInputDeserializer in = new DataInputDeserializer(encoded.getSharedBuffer(), 0, encoded.length());
        try {
            for (int i = 0; i < count; i++) {
                out.add(codec().readBody(tenant, model, in));
            }
        } catch (IOException e) {
            throw new IllegalStateException("corrupt peer batch", e); // only this class writes the encoding
        }
        return out;
    }

    private PeerObservationSerializer codec() {
        if (codec == null) {
            codec = new PeerObservationSerializer();
        }
        return codec;
    }

    /** Reads {@code length} bytes of encoded observations (the serializer's side of {@link #encoded}). */
    void readEncoded(DataInputView in, int observations, int length) throws IOException {
        encoded = new DataOutputSerializer(Math.max(length, 1));
        encoded.write(in, length);
        count = observations;
    }

    /** The model-peer key, as {@link PeerObservation#modelKey()} of every observation in it. */
    public String modelKey() {
        if (key == null) {
            key = PeerObservation.modelKey(tenant, model);
        }
        return key;
    }
}
