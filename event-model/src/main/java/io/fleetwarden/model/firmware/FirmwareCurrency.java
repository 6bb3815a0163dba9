package io.fleetwarden.model.firmware;

import java.time.Duration;
import java.time.Instant;

import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;

/**
 * The one definition of "behind": a device is behind when the catalogue's latest version is newer
 * than the one it runs and that latest version was released at least {@code grace} before
 * {@code now}. A newer release still inside its grace period, or one without a release date in the
 * catalogue, does not make a device behind (vendors stage roll-outs; an undated release gives the
 * grace period nothing to start from).
 *
 * <p>Every consumer (the stream jobs' FW-VER-001 rule, the dashboard's guideline-3 posture) calls
 * {@link #assess} or {@link #isBehind}, so the two can never disagree. {@code now} is the caller's
 * clock: event time in the jobs, the dashboard's injected clock in the API.
 */
public final class FirmwareCurrency {

    /** The grace period both FW-VER-001 and the posture report use unless configured otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofDays(30);

    /** Where a running version stands against the catalogue. */
    public enum State {
        /** Runs the latest version, or a newer one than the catalogue lists. */
        CURRENT,
        /** A newer version exists, released less than the grace period ago. */
        WITHIN_GRACE,
        /** A newer version exists and was released at least the grace period ago. */
        BEHIND,
        /** A newer version exists but the catalogue has no release date for it. */
        NEWER_UNDATED,
        /** The running version or the catalogue's latest is missing or not a version. */
        UNKNOWN
    }

    /**
     * One assessment with the facts it rests on. {@code latestReleasedAt} and {@code graceEnds} are
     * null when the catalogue has no date for the latest release.
     */
    public record Assessment(State state, String running, String latest, Instant latestReleasedAt, Instant graceEnds) {

        public boolean behind() {
            return state == State.BEHIND;
        }
    }

    private FirmwareCurrency() {
    }

    /** Assesses {@code running} against {@code catalog} at {@code now}. Never throws on bad input. */
    public static Assessment assess(String running, FirmwareCatalogEntry catalog, Instant now, Duration grace) {
        String latest = catalog == null ? null : catalog.getLatestVersion();
        if (!FirmwareVersion.isValid(running) || !FirmwareVersion.isValid(latest)) {
            return new Assessment(State.UNKNOWN, running, latest, null, null);
        }
        Instant released = releasedAt(catalog, latest);
        if (!FirmwareVersion.parse(latest).isNewerThan(FirmwareVersion.parse(running))) {
            return new Assessment(State.CURRENT, running, latest, released, released == null ? null : released.plus(grace));
        }
        Long from = behindFrom(running, catalog, grace.toMillis());
        if (from == null) {
            return new Assessment(State.NEWER_UNDATED, running, latest, released, null);
        }
        State state = now.toEpochMilli() >= from ? State.BEHIND : State.WITHIN_GRACE;
        return new Assessment(state, running, latest, released, Instant.ofEpochMilli(from));
    }

    /**
     * Whether {@code running} is behind at {@code nowMillis} with a grace of {@code graceMillis}
     * (the allocation-light form for per-report rule evaluation; same answer as {@link #assess}).
     */
    public static boolean isBehind(String running, FirmwareCatalogEntry catalog, long nowMillis, long graceMillis) {
        Long from = behindFrom(running, catalog, graceMillis);
        return from != null && nowMillis >= from;
    }

    /**
     * From when {@code running} counts as behind: the earliest release date of any catalogue release
     * newer than {@code running}, plus the grace period; null when the catalogue's latest is not newer
     * (current) or no newer release is dated. A version superseded long ago is behind even while the
     * newest release is still inside its grace period (the grace is for the release that superseded it).
     * A rule evaluates it against its clock ({@code now >= behindFrom}), so the moment a device becomes
     * behind is a known time threshold, not a re-check on every report.
     */
    public static Long behindFrom(String running, FirmwareCatalogEntry catalog, long graceMillis) {
        if (catalog == null || !FirmwareVersion.isValid(running) || !FirmwareVersion.isValid(catalog.getLatestVersion())) {
            return null;
        }
        FirmwareVersion v = FirmwareVersion.parse(running);
        if (!FirmwareVersion.parse(catalog.getLatestVersion()).isNewerThan(v)) {
            return null;
        }
        Long earliest = null;
        for (FirmwareRelease r : catalog.getReleases()) {
            if (r.getReleasedAt() == null || !FirmwareVersion.isValid(r.getVersion())
                    || !FirmwareVersion.parse(r.getVersion()).isNewerThan(v)) {
                continue;
            }
            long t = r.getReleasedAt().toEpochMilli();
            long from = t > Long.MAX_VALUE - graceMillis ? Long.MAX_VALUE : t + graceMillis;
            earliest = earliest == null ? from : Math.min(earliest, from);
        }
        return earliest;
    }

    /** The release date of {@code version} in {@code catalog}, or null. */
    public static Instant releasedAt(FirmwareCatalogEntry catalog, String version) {
        for (FirmwareRelease r : catalog.getReleases()) {
            if (r.getVersion().equals(version)) {
                return r.getReleasedAt();
            }
        }
        return null;
    }
}
