package io.fleetwarden.dashboard.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The materialised audit trail: every entry of every chain in log order (entries of one chain share
 * a key, hence a partition, hence an order), and the details not yet erased. Entries are never
 * removed or replaced here: a duplicate or forged entry is kept so the verifier can report it.
 * Thread-safe.
 */
public final class AuditStore {

    private final Map<String, List<AuditEntry>> chains = new ConcurrentHashMap<>();
    private final Map<String, AuditDetail> details = new ConcurrentHashMap<>();

    public void applyEntry(AuditEntry e) {
        List<AuditEntry> list = chains.computeIfAbsent(e.chain(), k -> new ArrayList<>());
        synchronized (list) {
            for (AuditEntry x : list) {
                if (x.equals(e)) {
                    return; // the writer applied it before the log delivered it
                }
            }
            list.add(e);
        }
    }

    public void applyDetail(String entryId, AuditDetail d) {
        if (d == null) {
            details.remove(entryId);
        } else {
            details.put(entryId, d);
        }
    }

    /** The chain's entries in log order (a copy). */
    public List<AuditEntry> chain(String chain) {
        List<AuditEntry> list = chains.get(chain);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** The last entry of the chain, if any. */
    public Optional<AuditEntry> head(String chain) {
        List<AuditEntry> list = chain(chain);
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(list.size() - 1));
    }

    public Optional<AuditDetail> detail(String entryId) {
        return Optional.ofNullable(details.get(entryId));
    }

    /** Details of the chain's entries that are still present, by entry id. */
    public Map<String, AuditDetail> details(String chain) {
        Map<String, AuditDetail> out = new java.util.HashMap<>();
        for (AuditEntry e : chain(chain)) {
            AuditDetail d = details.get(e.id());
            if (d != null) {
                out.put(e.id(), d);
            }
        }
        return out;
    }
}
