package io.fleetwarden.dashboard.disclosure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Json;

/**
 * Vulnerability reports from the public intake. State: kept in memory and, when a file is
 * configured, rewritten atomically on every change so that reports survive restarts (they are
 * few, and they do not belong on a device topic). Thread-safe.
 */
public final class ReportStore {

    /** One report and its triage. */
    public record Report(String id, Instant receivedAt, String title, String description, String model,
                         String affectedVersions, String contact, String status, String triagedBy, Instant triagedAt,
                         String triageNote, String advisoryId) {
    }

    private final Path file;
    private final ObjectMapper mapper = Json.mapper();
    private final Map<String, Report> reports = new LinkedHashMap<>();

    public ReportStore(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            try {
                for (Report r : mapper.readValue(file.toFile(), new TypeReference<List<Report>>() { })) {
                    reports.put(r.id(), r);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read report store " + file, e);
            }
        }
    }

    public synchronized void put(Report r) {
        reports.put(r.id(), r);
        persist();
    }

    public synchronized Optional<Report> get(String id) {
        return Optional.ofNullable(reports.get(id));
    }

    public synchronized List<Report> list() {
        List<Report> out = new ArrayList<>(reports.values());
        out.sort(Comparator.comparing(Report::receivedAt).reversed());
        return out;
    }

    private void persist() {
        if (file == null) {
            return;
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "reports", ".tmp");
            mapper.writeValue(tmp.toFile(), new ArrayList<>(reports.values()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report store " + file, e);
        }
    }
}
