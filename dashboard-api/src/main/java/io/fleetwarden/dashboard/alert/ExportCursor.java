package io.fleetwarden.dashboard.alert;

import java.util.Map;
import java.util.TreeMap;

import io.fleetwarden.dashboard.web.ApiException;

/**
 * The SIEM pull cursor: the next Kafka offset to read in every partition of the exported topics
 * ({@code a<partition>} = {@code fleet.alerts}, {@code t<partition>} = {@code fleet.audit}), written
 * as {@code a0=12,a1=40,t0=7}. Offsets are assigned by the log, not by any clock a device or job
 * controls, and a page ends exactly after the last record it covered, so no record is ever skipped
 * (equal timestamps, late records and cut pages included). A partition missing from the cursor is
 * read from its beginning.
 */
public record ExportCursor(Map<String, Long> next) {

    public ExportCursor {
        next = Map.copyOf(next);
    }

    public static ExportCursor parse(String raw) {
        Map<String, Long> m = new TreeMap<>();
        if (raw == null || raw.isBlank()) {
            return new ExportCursor(m);
        }
        if (raw.length() > 4000) {
            throw ApiException.badRequest("cursor is too long");
        }
        for (String part : raw.split(",")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? "" : part.substring(0, eq).trim();
            if (!k.matches("[at]\\d{1,4}")) {
                throw ApiException.badRequest("cursor must look like a0=12,t0=7 (as returned in X-Fleetwarden-Cursor)");
            }
            try {
                long v = Long.parseLong(part.substring(eq + 1).trim());
                if (v < 0) {
                    throw new NumberFormatException();
                }
                m.put(k, v);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("cursor offsets must be non-negative integers");
            }
        }
        return new ExportCursor(m);
    }

    public long offset(String code, int partition, long dflt) {
        return next.getOrDefault(code + partition, dflt);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(next).forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }
}
