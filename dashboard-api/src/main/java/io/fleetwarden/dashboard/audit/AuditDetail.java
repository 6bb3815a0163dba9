package io.fleetwarden.dashboard.audit;

/**
 * The erasable part of an audit entry (compacted topic {@code fleet.audit-details}, key = entry id):
 * the free text and the random salt its digest in the chain was computed with.
 */
public record AuditDetail(String entryId, String salt, String text) {
}
