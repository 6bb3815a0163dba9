package io.fleetwarden.dashboard.cra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fleetwarden.dashboard.web.Json;

/**
 * The CRA reporting cases. Kept in memory and, when a file is given, rewritten atomically on every
 * change (cases are few and each carries its whole audit trail), so cases and their history survive
 * restarts. Thread-safe.
 */
public final class CraCaseStore {

    private final Path file;
    private final ObjectMapper mapper = Json.mapper();
    private final Map<String, CraCase> cases = new LinkedHashMap<>();

    public CraCaseStore(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            try {
                for (CraCase c : mapper.readValue(file.toFile(), new TypeReference<List<CraCase>>() { })) {
                    cases.put(c.caseId(), c);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read CRA case store " + file, e);
            }
        }
    }

    public synchronized void put(CraCase c) {
        cases.put(c.caseId(), c);
        persist();
    }

    /** Stores {@code c} only if no case has its id; false when one exists. */
    public synchronized boolean putNew(CraCase c) {
        if (cases.containsKey(c.caseId())) {
            return false;
        }
        put(c);
        return true;
    }

    public synchronized Optional<CraCase> get(String id) {
        return Optional.ofNullable(cases.get(id));
    }

    public synchronized List<CraCase> list() {
        return new ArrayList<>(cases.values());
    }

    private void persist() {
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            mapper.writeValue(tmp.toFile(), new ArrayList<>(cases.values()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CRA case store " + file, e);
        }
    }
}
