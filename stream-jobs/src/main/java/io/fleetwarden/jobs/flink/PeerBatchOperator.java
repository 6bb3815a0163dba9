package io.fleetwarden.jobs.flink;

import java.util.HashMap;
import java.util.Map;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import io.fleetwarden.jobs.detect.PeerObservation;

/**
 * Mini-batches the per-report peer observations of a device-detectors subtask per model, in the same
 * operator chain (forward edge, default chaining: no serialisation per report), so the model-peer stage receives one record per model and
 * flush instead of one per telemetry report: one partitioner call, record header and keyed-state lookup per
 * batch.
 *
 * <p>A model's batch is sent when it holds {@link #maxBatch} observations; all batches are sent when a
 * watermark passes (before it is forwarded: downstream sees the observations before the watermark that
 * follows them, as unbatched), before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}, so
 * nothing is buffered in a checkpoint and the operator has no state), and at the end of input. Order per
 * model is kept; the added delay is at most one watermark interval (200 ms by default while data flows).
 */
public class PeerBatchOperator extends AbstractStreamOperator<PeerBatch> implements OneInputStreamOperator<PeerObservation, PeerBatch> {

    private static final long serialVersionUID = 1L;

    /** Observations per batch at most (a batch is then sent at once). */
    public static final int DEFAULT_MAX_BATCH = 256;

    private final int maxBatch;
    /** Pending batches by tenant, then model (the strings come shared from the network: cheap to hash). */
    private transient Map<String, Map<String, PeerBatch>> pending;
    private transient int pendingCount;

    public PeerBatchOperator() {
        this(DEFAULT_MAX_BATCH);
    }

    public PeerBatchOperator(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive: " + maxBatch);
        }
        this.maxBatch = maxBatch;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<PeerObservation> element) {
        PeerObservation o = element.getValue();
        Map<String, PeerBatch> byModel = pending.computeIfAbsent(o.tenant, t -> new HashMap<>());
        PeerBatch batch = byModel.get(o.model);
        if (batch == null) {
            batch = new PeerBatch(o.tenant, o.model, maxBatch);
            byModel.put(o.model, batch);
        }
        batch.add(o);
        pendingCount++;
        if (batch.size() >= maxBatch) {
            byModel.remove(o.model);
            pendingCount -= batch.size();
            emit(batch, o.timestamp);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    /** Sends every pending batch. */
    void flush() {
        if (pendingCount == 0) {
            return;
        }
        for (Map<String, PeerBatch> byModel : pending.values()) {
            for (PeerBatch b : byModel.values()) {
                emit(b, b.lastTimestamp);
            }
        }
        pending.clear();
        pendingCount = 0;
    }

    private void emit(PeerBatch batch, long timestamp) {
        output.collect(new StreamRecord<>(batch, timestamp));
    }
}
