package io.fleetwarden.jobs.flink;

import io.fleetwarden.model.Advisory;
import io.fleetwarden.model.FirmwareCatalogEntry;

/**
 * Reference data broadcast to every firmware task: a catalog entry, an advisory, or the removal of
 * an advisory (a tombstone on the compacted topic). Exactly one of the fields is set. A Flink POJO.
 */
public class ReferenceUpdate {

    public FirmwareCatalogEntry catalog;
    public Advisory advisory;
    /** Advisory id whose record was deleted (tombstone). */
    public String removedAdvisoryId;

    public ReferenceUpdate() {
    }

    public static ReferenceUpdate of(FirmwareCatalogEntry c) {
        ReferenceUpdate r = new ReferenceUpdate();
        r.catalog = c;
        return r;
    }

    public static ReferenceUpdate of(Advisory a) {
        ReferenceUpdate r = new ReferenceUpdate();
        r.advisory = a;
        return r;
    }

    public static ReferenceUpdate removed(String advisoryId) {
        ReferenceUpdate r = new ReferenceUpdate();
        r.removedAdvisoryId = advisoryId;
        return r;
    }

    /** Event time of the update (epoch millis). */
    public long timestamp() {
        if (catalog != null) {
            return catalog.getUpdatedAt().toEpochMilli();
        }
        if (advisory != null) {
            return advisory.getPublishedAt().toEpochMilli();
        }
        return Long.MIN_VALUE;
    }
}
