package io.fleetwarden.simulator.score;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.fleetwarden.simulator.scenario.GroundTruthRecord;

/**
 * A ground-truth file read back: run bounds, fleet size and scenario instances.
 *
 * @param runId     run id
 * @param fleetSize devices in the run
 * @param runStart  run start
 * @param runEnd    run end (last line's time when the run-end line is missing, e.g. killed run)
 * @param scenarios scenario instances in start order
 * @param timeBase  clock of the times: {@code wall-time} (live run) or {@code event-time} (replay)
 */
public record GroundTruth(String runId, int fleetSize, Instant runStart, Instant runEnd, List<TruthScenario> scenarios,
                          String timeBase) {

    /** Ground truth of a live run (wall time). */
    public GroundTruth(String runId, int fleetSize, Instant runStart, Instant runEnd, List<TruthScenario> scenarios) {
        this(runId, fleetSize, runStart, runEnd, scenarios, GroundTruthRecord.WALL_TIME);
    }

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    /**
     * Reads a JSON Lines ground-truth file.
     *
     * @throws IllegalArgumentException naming the line that cannot be read
     */
    public static GroundTruth read(Path file) {
        List<GroundTruthRecord> records = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    records.add(MAPPER.readValue(line, GroundTruthRecord.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(file + " line " + n + " is not a ground-truth record: " + e.getOriginalMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ground truth " + file, e);
        }
        return of(records);
    }

    /** Builds the ground truth from its records. */
    public static GroundTruth of(List<GroundTruthRecord> records) {
        String runId = null;
        int fleetSize = 0;
        Instant runStart = null;
        Instant runEnd = null;
        String timeBase = GroundTruthRecord.WALL_TIME;
        Instant last = null;
        Map<String, GroundTruthRecord> starts = new LinkedHashMap<>();
        Map<String, Instant> ends = new LinkedHashMap<>();
        for (GroundTruthRecord r : records) {
            Instant at = instant(r.at(), r.type());
            last = last == null || at.isAfter(last) ? at : last;
            switch (r.type()) {
                case GroundTruthRecord.RUN_START -> {
                    runId = r.runId();
                    fleetSize = r.fleetSize() == null ? 0 : r.fleetSize();
                    runStart = at;
                    timeBase = r.timeBase() == null ? GroundTruthRecord.WALL_TIME : r.timeBase();
                }
                case GroundTruthRecord.RUN_END -> runEnd = at;
                case GroundTruthRecord.SCENARIO_START -> starts.put(r.scenarioId(), r);
                case GroundTruthRecord.SCENARIO_END -> ends.put(r.scenarioId(), at);
                default -> {
                    // notes and unknown types carry nothing the score needs
                }
            }
        }
        if (runStart == null) {
            throw new IllegalArgumentException("ground truth has no run-start line");
        }
        if (runEnd == null) {
            runEnd = last;
        }
        List<TruthScenario> scenarios = new ArrayList<>();
        for (GroundTruthRecord s : starts.values()) {
            Instant start = instant(s.at(), s.type());
            Instant end = ends.getOrDefault(s.scenarioId(), s.plannedEnd() == null ? runEnd : min(instant(s.plannedEnd(), "plannedEnd"), runEnd));
            scenarios.add(new TruthScenario(s.scenarioId(), s.scenario(), Boolean.TRUE.equals(s.attack()),
                    s.devices() == null ? Set.of() : Set.copyOf(s.devices()),
                    s.cohort() == null ? Map.of() : s.cohort(), start, end,
                    s.expectedRules() == null ? Set.of() : Set.copyOf(s.expectedRules())));
        }
        return new GroundTruth(runId, fleetSize, runStart, runEnd, scenarios, timeBase);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant instant(String text, String what) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException("ground truth " + what + " has an unreadable time: " + text);
        }
    }
}
