package io.fleetwarden.dashboard.disclosure;

import java.time.Instant;
import java.util.List;

/**
 * RFC 9116 fields and intake limits. {@code contacts} must not be empty for security.txt to be
 * served; {@code expires} is required by RFC 9116.
 */
public record DisclosureConfig(List<String> contacts, Instant expires, String policy, String acknowledgments,
                               String preferredLanguages, String canonical, String encryption,
                               int maxReportBytes, int reportsPerMinutePerAddress) {

    public boolean published() {
        return !contacts.isEmpty();
    }
}
