package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.fleetwarden.jobs.alerts.AlertIds;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * One physical event is one incident: cohort incidents of one tenant and rule (RES-COH-001, RES-STORM-001) whose
 * member devices are mostly the same are one event seen through several dimensions (a regional outage of one model is
 * both a region and a model outage; a storm on the only broker of a region is both a region and a broker storm). The
 * later one is folded into the earlier: its own alert is not opened, its members' folds name the earlier incident,
 * and the earlier incident gets a revision naming the folded cohort ({@code correlated}).
 *
 * <p>"Mostly the same" is the Jaccard similarity of the member sets, {@code |A ∩ B| / |A ∪ B| >=}
 * {@link #MIN_JACCARD}: symmetric, so a small incident (say ten devices an attacker took offline on purpose) can neither
 * absorb a large unrelated one nor be absorbed by it when it is only a small part of it, and device alerts of other
 * rules are never touched. Members of an open incident grow with its folds. No Flink API; one instance per tenant's
 * {@link IncidentBook}.
 */
public final class IncidentCorrelation {

    /** Jaccard similarity of two incidents' member sets from which they are one event. */
    public static final double MIN_JACCARD = 0.5;
    /** How long (event time) a resolved folded incident still redirects folds naming it. */
    public static final long FOLDED_KEPT_MS = 10 * 60_000L;
    /** Most folded cohorts named in an incident's evidence. */
    public static final int CORRELATED_LISTED = 8;

    private IncidentCorrelation() {
    }

    /** Whether this stage looks at {@code f} (cohort incidents and the folds into them); others pass unchanged. */
    public static boolean concerns(Finding f) {
        return isIncident(f.ruleId) && f.deviceId == null || f.action == Action.FOLD;
    }

    private static boolean isIncident(String ruleId) {
        return RuleCatalogue.COHORT_OUTAGE.id().equals(ruleId) || RuleCatalogue.RECONNECT_STORM.id().equals(ruleId);
    }

    /** What to emit for {@code f}; {@code book} (the tenant's open incidents) is updated. */
    public static List<Finding> apply(IncidentBook book, Finding f) {
        if (!concerns(f)) {
            return List.of(f);
        }
        book.incidents.values().removeIf(i -> i.closedAt != Long.MIN_VALUE && f.timestamp - i.closedAt > FOLDED_KEPT_MS);
        if (f.action == Action.FOLD) {
            return List.of(fold(book, f));
        }
        String key = f.alertKey();
        IncidentBook.Incident inc = book.incidents.get(key);
        if (inc != null && inc.closedAt != Long.MIN_VALUE) {
            inc = null; // a new occurrence of a cohort whose folded incident resolved
        }
        if (f.action == Action.CLEAR) {
            if (inc == null) {
                return List.of(f);
            }
            if (inc.mergedInto != null) {
                inc.closedAt = f.timestamp; // kept a while: its late folds still name it
                return List.of();
            }
            book.incidents.remove(key);
            return List.of(f);
        }
        // OPEN: a new incident or a revision of an open one.
        if (inc != null) {
            addMembers(inc, f.members);
            if (inc.mergedInto != null) {
                IncidentBook.Incident into = book.incidents.get(inc.mergedInto);
                if (into != null) {
                    addMembers(into, f.members);
                }
                return List.of(); // its revisions are the other incident's business
            }
            remember(inc, f);
            return List.of(withCorrelated(f, inc));
        }
        inc = new IncidentBook.Incident();
        inc.ruleId = f.ruleId;
        inc.alertId = AlertIds.of(key, f.timestamp);
        inc.dimension = f.cohortDimension;
        inc.value = f.cohortValue;
        inc.openedAt = f.timestamp;
        addMembers(inc, f.members);
        book.incidents.put(key, inc);
        String sameEvent = sameEvent(book, key, inc);
        if (sameEvent == null) {
            remember(inc, f);
            return List.of(f);
        }
        IncidentBook.Incident into = book.incidents.get(sameEvent);
        inc.mergedInto = sameEvent;
        inc.mergedIntoId = into.alertId;
        addMembers(into, inc.members);
        String cohort = inc.dimension + "=" + inc.value;
        if (into.correlated.size() < CORRELATED_LISTED && !into.correlated.contains(cohort)) {
            into.correlated.add(cohort);
        }
        // The incident it joins gets a revision naming the folded cohort.
        Finding revision = Finding.other(into.ruleId, Action.OPEN, f.tenant, into.dimension, into.value,
                Math.max(into.updatedAt, f.timestamp), into.summary);
        revision.evidence = new TreeMap<>(into.evidence);
        return List.of(withCorrelated(revision, into));
    }

    private static Finding fold(IncidentBook book, Finding f) {
        for (IncidentBook.Incident inc : book.incidents.values()) {
            if (inc.alertId.equals(f.parentAlertId)) {
                addMembers(inc, List.of(f.deviceId));
                if (inc.mergedInto != null) {
                    IncidentBook.Incident into = book.incidents.get(inc.mergedInto);
                    if (into != null) {
                        addMembers(into, List.of(f.deviceId));
                    }
                    Finding copy = Finding.device(f.ruleId, Action.FOLD, f.tenant, f.deviceId, f.timestamp, f.summary);
                    copy.evidence = new TreeMap<>(f.evidence);
                    copy.evidence.put("incident", inc.mergedIntoId);
                    copy.parentAlertId = inc.mergedIntoId;
                    return copy;
                }
                break;
            }
        }
        return f;
    }

    /** The open, unfolded incident of the same rule most similar to {@code inc}, if similar enough; else null. */
    private static String sameEvent(IncidentBook book, String key, IncidentBook.Incident inc) {
        String best = null;
        double bestScore = MIN_JACCARD;
        for (Map.Entry<String, IncidentBook.Incident> en : book.incidents.entrySet()) {
            IncidentBook.Incident other = en.getValue();
            if (en.getKey().equals(key) || other.mergedInto != null || other.closedAt != Long.MIN_VALUE
                    || !other.ruleId.equals(inc.ruleId)) {
                continue;
            }
            double j = jaccard(inc.members, other.members);
            if (j >= bestScore && (best == null || j > bestScore)) {
                best = en.getKey();
                bestScore = j;
            }
        }
        return best;
    }

    /** Jaccard similarity of two member lists (0 when both are empty: nothing says they are the same). */
    static double jaccard(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        Set<String> small = new HashSet<>(a.size() <= b.size() ? a : b);
        List<String> large = a.size() <= b.size() ? b : a;
        int common = 0;
        for (String m : new HashSet<>(large)) {
            if (small.contains(m)) {
                common++;
            }
        }
        int union = small.size() + new HashSet<>(large).size() - common;
        return (double) common / union;
    }

    /**
     * Adds the members not yet listed, in order, up to {@link CohortRules#MEMBERS_KEPT}. A fold adds one device, and
     * folds come once per folded device alert: one member is looked up in the list itself, not by copying the whole
     * list (up to 4,096 ids) into a hash set for every fold, which made folding quadratic in the incident's size.
     */
    private static void addMembers(IncidentBook.Incident inc, List<String> members) {
        if (members == null || members.isEmpty() || inc.members.size() >= CohortRules.MEMBERS_KEPT) {
            return;
        }
        if (members.size() == 1) {
            String m = members.get(0);
            if (m != null && !inc.members.contains(m)) {
                inc.members.add(m);
            }
            return;
        }
        Set<String> have = new HashSet<>(inc.members);
        for (String m : members) {
            if (inc.members.size() >= CohortRules.MEMBERS_KEPT) {
                return;
            }
            if (m != null && have.add(m)) {
                inc.members.add(m);
            }
        }
    }

    private static void remember(IncidentBook.Incident inc, Finding f) {
        inc.summary = f.summary;
        inc.evidence = new TreeMap<>(f.evidence);
        inc.updatedAt = Math.max(inc.updatedAt, f.timestamp);
    }

    private static Finding withCorrelated(Finding f, IncidentBook.Incident inc) {
        if (!inc.correlated.isEmpty()) {
            f.with("correlatedCohorts", String.join(",", inc.correlated));
        }
        return f;
    }

    /** Whether the book holds nothing. */
    public static boolean idle(IncidentBook book) {
        return book.incidents.isEmpty();
    }

    /** For tests: the alert keys of incidents folded into another. */
    static List<String> folded(IncidentBook book) {
        List<String> out = new ArrayList<>();
        book.incidents.forEach((k, v) -> {
            if (v.mergedInto != null) {
                out.add(k);
            }
        });
        return out;
    }
}
