package io.fleetwarden.simulator.scenario;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Appends ground truth as JSON Lines while the run goes on, one flushed line per event, so a run
 * that is killed still leaves a readable file. Thread-safe.
 */
public final class GroundTruthWriter implements Closeable {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private final BufferedWriter out;
    private final Clock clock;
    private final String runId;

    /**
     * @param file   output file (created or truncated)
     * @param clock  source of the {@code at} timestamps
     * @param runId  id written on every line
     */
    public GroundTruthWriter(Path file, Clock clock, String runId) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ground truth to " + file, e);
        }
        this.clock = clock;
        this.runId = runId;
    }

    public void runStart(long seed, int fleetSize, String tenant) {
        write(new GroundTruthRecord(GroundTruthRecord.RUN_START, now(), runId, seed, fleetSize, tenant,
                null, null, null, null, null, null, null, null));
    }

    public void runEnd() {
        write(new GroundTruthRecord(GroundTruthRecord.RUN_END, now(), runId, null, null, null,
                null, null, null, null, null, null, null, null));
    }

    /** Scenario begins now; {@code plannedEnd} is when its condition is planned to be over. */
    public void scenarioStart(ScenarioInstance s, String tenant, Instant plannedEnd, String note) {
        scenarioStart(s, tenant, plannedEnd, s.cohort(), note);
    }

    /**
     * Scenario begins now, with a cohort known only at run time (e.g. the source address an attacker
     * connects from, which address-keyed alerts name).
     */
    public void scenarioStart(ScenarioInstance s, String tenant, Instant plannedEnd, Map<String, String> cohort, String note) {
        List<String> rules = new ArrayList<>(s.expectedRules());
        rules.sort(null);
        write(new GroundTruthRecord(GroundTruthRecord.SCENARIO_START, now(), runId, null, null, tenant,
                s.id(), s.type().id(), s.type().attack(), s.devices(), cohort.isEmpty() ? null : Map.copyOf(cohort),
                rules, plannedEnd.toString(), note));
    }

    public void scenarioEnd(ScenarioInstance s) {
        write(new GroundTruthRecord(GroundTruthRecord.SCENARIO_END, now(), runId, null, null, null,
                s.id(), s.type().id(), s.type().attack(), null, null, null, null, null));
    }

    /** Records that something planned could not be carried out (e.g. no Kafka for the advisory). */
    public void note(ScenarioInstance s, String note) {
        write(new GroundTruthRecord("note", now(), runId, null, null, null, s.id(), s.type().id(), s.type().attack(),
                null, null, null, null, note));
    }

    private String now() {
        return clock.instant().toString();
    }

    private synchronized void write(GroundTruthRecord r) {
        try {
            out.write(MAPPER.writeValueAsString(r));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append ground truth", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
