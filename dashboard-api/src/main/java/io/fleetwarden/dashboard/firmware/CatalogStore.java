package io.fleetwarden.dashboard.firmware;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;

/**
 * Materialised {@code fleet.firmware-catalog} (key = model) and {@code fleet.advisories}
 * (key = advisory id). Tombstones remove. Thread-safe.
 */
public final class CatalogStore {

    private final ConcurrentHashMap<String, FirmwareCatalogEntry> catalog = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Advisory> advisories = new ConcurrentHashMap<>();

    public void applyCatalog(String model, FirmwareCatalogEntry e) {
        if (e == null) {
            catalog.remove(model);
        } else {
            catalog.put(model, e);
        }
    }

    public void applyAdvisory(String id, Advisory a) {
        if (a == null) {
            advisories.remove(id);
        } else {
            advisories.put(id, a);
        }
    }

    public Optional<FirmwareCatalogEntry> entry(String model) {
        return Optional.ofNullable(model == null ? null : catalog.get(model));
    }

    public Collection<FirmwareCatalogEntry> entries() {
        return catalog.values();
    }

    public Optional<Advisory> advisory(String id) {
        return Optional.ofNullable(advisories.get(id));
    }

    public Collection<Advisory> advisories() {
        return advisories.values();
    }
}
