package io.fleetwarden.simulator.replay;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.fleetwarden.simulator.scenario.GroundTruthRecord;

/**
 * Writes a replay's ground truth in the format of {@code run} (so {@code scorecard} reads it), with the
 * run-start line's {@code timeBase} = {@code event-time}: every {@code at} is simulated broker time (for
 * telemetry-driven instances the device's event time of the first and last record the instance changed).
 *
 * <p>{@code fleetSize} is the average number of devices present (device-hours / replay hours), so the
 * scorecard's device-hours hold with devices joining and leaving. Instances that never happened (planned
 * after the end, or no device fitted) are written as notes, not as scenarios.
 */
final class ReplayGroundTruth {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private ReplayGroundTruth() {
    }

    static List<GroundTruthRecord> records(ReplayEngine engine, ReplayOptions o, String runId) {
        List<GroundTruthRecord> out = new ArrayList<>();
        double hours = (engine.endMillis() - engine.startMillis()) / 3_600_000.0;
        int fleetSize = (int) Math.round(engine.deviceHours() / hours);
        out.add(new GroundTruthRecord(GroundTruthRecord.RUN_START, o.start().toString(), runId, o.seed(), fleetSize, o.tenant(),
                null, null, null, null, null, null, null, null, GroundTruthRecord.EVENT_TIME));
        List<ReplayInstance> happened = new ArrayList<>();
        for (ReplayInstance i : engine.instances()) {
            if (i.happened()) {
                happened.add(i);
            } else if (i.kind.attack()) {
                out.add(new GroundTruthRecord("note", o.start().toString(), runId, null, null, null, i.id, i.kind.id(), true,
                        null, null, null, null, "not played: " + (i.note == null ? "planned outside the replay" : i.note)));
            }
        }
        happened.sort(Comparator.comparingLong((ReplayInstance i) -> i.firstAt).thenComparing(i -> i.id));
        for (ReplayInstance i : happened) {
            long endAt = i.persistent ? engine.endMillis() : Math.max(i.lastAt, i.firstAt);
            Map<String, String> cohort = new LinkedHashMap<>();
            i.cohort.forEach((k, v) -> cohort.put(k, String.join(",", v)));
            out.add(new GroundTruthRecord(GroundTruthRecord.SCENARIO_START, at(i.firstAt), runId, null, null, o.tenant(), i.id,
                    i.kind.id(), i.kind.attack(), List.copyOf(i.devices), cohort.isEmpty() ? null : cohort,
                    List.copyOf(i.expectedRules), at(endAt), i.note));
            out.add(new GroundTruthRecord(GroundTruthRecord.SCENARIO_END, at(endAt), runId, null, null, null, i.id, i.kind.id(),
                    i.kind.attack(), null, null, null, null, null));
        }
        out.add(new GroundTruthRecord(GroundTruthRecord.RUN_END, at(engine.endMillis()), runId, null, null, null,
                null, null, null, null, null, null, null, null));
        return out;
    }

    static void write(Path file, List<GroundTruthRecord> records) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (GroundTruthRecord r : records) {
                    w.write(MAPPER.writeValueAsString(r));
                    w.newLine();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render ground truth", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ground truth to " + file, e);
        }
    }

    private static String at(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
