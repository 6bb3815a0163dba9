package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fleetwarden.jobs.detect.BurstWindow.Transition;
import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.detect.SecuritySubject.Kind;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * Burst rules over security events, per subject: CMP-AUTH-001/002/003, CMP-AUTHZ-001, CMP-VAL-001, CMP-CLOCK-001,
 * CMP-CERT-001. No Flink API: the state is a map of rule id to {@link BurstWindow}; time is the
 * event's timestamp or the {@code now} the caller passes (the Flink adapter passes timer time).
 */
public final class SecurityRules implements FleetRule<SecurityEvent, Map<String, BurstWindow>> {

    private static final long serialVersionUID = 1L;

    /** Attributes of the broker's clock-skew report shown in CMP-CLOCK-001's evidence. */
    static final java.util.List<String> CLOCK_SKEW_EVIDENCE = java.util.List.of("direction", "skewMs", "skewedReadings", "skewWindowMs");

    private final DetectionConfig cfg;

    public SecurityRules(DetectionConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * Whether the event counts towards any rule for this subject. Events that do not (connects, disconnects,
     * most events of verified devices) change nothing here, so the topology does not send them to the
     * burst operator at all.
     */
    public static boolean counts(SecuritySubject s, SecurityEvent e) {
        return ruleFor(s, e) != null;
    }

    /** The rule an event counts towards for this subject, or null. */
    static String ruleFor(SecuritySubject s, SecurityEvent e) {
        SecurityEventType t = e.getType();
        // A default-credential campaign is one alert per identity it uses: the verified device when a certificate
        // verified, else the claimed client id; per source address only when neither is known (addresses are cheap
        // for an attacker, so 25 addresses used with one certificate are one campaign, listed in its evidence).
        boolean defaultCredentials = t == SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT;
        boolean revoked = t == SecurityEventType.AUTHENTICATION_FAILURE
                && SecurityEventReasons.CERTIFICATE_REVOKED.equals(e.getReason());
        return switch (s.kind()) {
            case CLAIMED_IDENTITY -> revoked ? RuleCatalogue.REVOKED_CERTIFICATE.id()
                    : t == SecurityEventType.AUTHENTICATION_FAILURE ? RuleCatalogue.AUTH_FAILURES_PER_IDENTITY.id()
                    : defaultCredentials ? RuleCatalogue.DEFAULT_CREDENTIALS.id() : null;
            case SOURCE_ADDRESS -> t == SecurityEventType.AUTHENTICATION_FAILURE ? RuleCatalogue.AUTH_FAILURES_PER_ADDRESS.id()
                    : defaultCredentials && !SecuritySubject.hasIdentity(e) ? RuleCatalogue.DEFAULT_CREDENTIALS.id() : null;
            case DEVICE -> switch (t) {
                case AUTHORIZATION_FAILURE -> RuleCatalogue.TOPIC_PROBING.id();
                // A clock-skew report is a finding of its own (CMP-CLOCK-001), not a malformed payload.
                case VALIDATION_FAILURE -> SecurityEventReasons.DEVICE_CLOCK_SKEW.equals(e.getReason()) ? RuleCatalogue.CLOCK_SKEW.id()
                        : RuleCatalogue.VALIDATION_BURST.id();
                case DEFAULT_CREDENTIAL_ATTEMPT -> RuleCatalogue.DEFAULT_CREDENTIALS.id();
                case AUTHENTICATION_FAILURE -> revoked ? RuleCatalogue.REVOKED_CERTIFICATE.id() : null;
                default -> null;
            };
        };
    }

    private int threshold(String ruleId) {
        return switch (ruleId) {
            case "CMP-AUTH-001" -> cfg.authIdentityCount;
            case "CMP-AUTH-002" -> cfg.authAddressCount;
            case "CMP-AUTH-003" -> cfg.defaultCredentialCount;
            case "CMP-AUTHZ-001" -> cfg.probingCount;
            case "CMP-VAL-001" -> cfg.validationCount;
            case "CMP-CLOCK-001" -> cfg.clockSkewCount;
            case "CMP-CERT-001" -> cfg.revokedCount;
            default -> throw new IllegalArgumentException(ruleId);
        };
    }

    /** The long horizon's count of a rule that has one (slow guessing), else 0. */
    private int slowThreshold(String ruleId) {
        return switch (ruleId) {
            case "CMP-AUTH-001" -> cfg.authIdentitySlowCount;
            case "CMP-AUTH-002" -> cfg.authAddressSlowCount;
            default -> 0;
        };
    }

    private long slowWindow(String ruleId) {
        return switch (ruleId) {
            case "CMP-AUTH-001" -> cfg.authIdentitySlowWindowMs;
            case "CMP-AUTH-002" -> cfg.authAddressSlowWindowMs;
            default -> 0;
        };
    }

    /** How long a closed window's events can still complete a burst: the longer of its two horizons. */
    private long horizon(String ruleId) {
        return Math.max(window(ruleId), slowThreshold(ruleId) > 0 ? slowWindow(ruleId) : 0);
    }

    private long window(String ruleId) {
        return switch (ruleId) {
            case "CMP-AUTH-001" -> cfg.authIdentityWindowMs;
            case "CMP-AUTH-002" -> cfg.authAddressWindowMs;
            case "CMP-AUTHZ-001" -> cfg.probingWindowMs;
            case "CMP-VAL-001" -> cfg.validationWindowMs;
            case "CMP-CLOCK-001" -> cfg.clockSkewWindowMs;
            default -> cfg.singleShotWindowMs;
        };
    }

    @Override
    public String name() {
        return "bursts";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.AUTH_FAILURES_PER_IDENTITY.id(), RuleCatalogue.AUTH_FAILURES_PER_ADDRESS.id(),
                RuleCatalogue.DEFAULT_CREDENTIALS.id(), RuleCatalogue.TOPIC_PROBING.id(), RuleCatalogue.VALIDATION_BURST.id(),
                RuleCatalogue.CLOCK_SKEW.id(), RuleCatalogue.REVOKED_CERTIFICATE.id());
    }

    /** A map of rule id to window (the operator declares its Flink type: a map of POJOs). */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Class<Map<String, BurstWindow>> stateClass() {
        return (Class) Map.class;
    }

    @Override
    public Map<String, BurstWindow> newState() {
        return new java.util.HashMap<>();
    }

    @Override
    public List<Finding> onInput(Map<String, BurstWindow> bursts, String key, SecurityEvent e) {
        return onEvent(bursts, SecuritySubject.fromKey(key), e);
    }

    @Override
    public long nextDeadline(Map<String, BurstWindow> bursts) {
        return nextTimer(bursts);
    }

    @Override
    public List<Finding> onDeadline(Map<String, BurstWindow> bursts, String key, long now) {
        return onTimer(bursts, SecuritySubject.fromKey(key), now);
    }

    @Override
    public boolean idle(Map<String, BurstWindow> bursts) {
        return bursts.isEmpty();
    }

    /**
     * Counts the event and returns the findings it causes (at most one).
     *
     * @param bursts the subject's state: rule id to burst window, updated in place
     */
    public List<Finding> onEvent(Map<String, BurstWindow> bursts, SecuritySubject s, SecurityEvent e) {
        String ruleId = ruleFor(s, e);
        if (ruleId == null) {
            return List.of();
        }
        BurstWindow w = bursts.computeIfAbsent(ruleId, k -> new BurstWindow());
        int threshold = threshold(ruleId);
        long window = window(ruleId);
        int slowThreshold = slowThreshold(ruleId);
        String address = e.getBroker() == null ? null : e.getBroker().getSourceAddress();
        if (s.kind() != Kind.SOURCE_ADDRESS) {
            w.recordSource(address);
        } else if (slowThreshold > 0) {
            // An address's campaign lists the identities it claimed (bounded, like the addresses of an identity).
            w.recordSource(e.getClaimedClientId());
        }
        long ts = e.getTimestamp().toEpochMilli();
        // Backdating: a campaign's attempts come from several addresses, i.e. several Kafka partitions, and may be
        // read out of order; the alert then says when the condition first held, not when its first event was read.
        Transition tr = w.record(ts, threshold, window, slowThreshold, slowWindow(ruleId), true);
        if (tr == Transition.NONE) {
            return List.of();
        }
        // The finding is dated at the burst's opening (a revision at least there): the alert stage keeps the
        // earliest such time as the alert's openedAt.
        Finding f = finding(s, ruleId, Action.OPEN, tr == Transition.BACKDATED ? w.openedAt : Math.max(ts, w.openedAt),
                RuleCatalogue.require(ruleId).name() + ": " + w.eventsSinceOpen + " events")
                .with("events", w.eventsSinceOpen)
                .with("threshold", threshold)
                .with("windowSeconds", window / 1000)
                .with("firstAt", w.openedAt)
                .with("lastReason", e.getReason());
        if (slowThreshold > 0) {
            // Which horizon opened it: a burst, or failures spread out in time (slow guessing).
            f.with("horizon", w.slow ? "long" : "burst")
                    .with("slowThreshold", slowThreshold)
                    .with("slowWindowSeconds", slowWindow(ruleId) / 1000)
                    .with("eventsInSlowWindow", w.countWithin(w.lastEvent, slowWindow(ruleId)));
        }
        if (e.getTopic() != null) {
            f.with("lastTopic", e.getTopic());
        }
        if (e.getUsername() != null) {
            f.with("username", e.getUsername());
        }
        if (address != null) {
            f.with("sourceAddress", address);
        }
        if (w.sources != null && s.kind() != Kind.SOURCE_ADDRESS) {
            // The campaign's addresses: a bounded list plus how many attempts came from addresses not listed.
            f.with("addresses", String.join(",", w.sources)).with("addressCount", w.sources.length);
            if (w.unlistedSourceEvents > 0) {
                f.with("eventsFromUnlistedAddresses", w.unlistedSourceEvents);
            }
        } else if (w.sources != null) {
            // An address's campaign: the identities it claimed, bounded the same way.
            f.with("claimedIdentities", String.join(",", w.sources)).with("claimedIdentityCount", w.sources.length);
            if (w.unlistedSourceEvents > 0) {
                f.with("eventsForUnlistedIdentities", w.unlistedSourceEvents);
            }
        }
        if (e.getClaimedClientId() != null) {
            f.with("claimedClientId", e.getClaimedClientId());
        }
        if (RuleCatalogue.CLOCK_SKEW.id().equals(ruleId) && e.getAttributes() != null) {
            // The broker's measurement of the latest report (its own numbers; the device only chose its clock).
            for (String k : CLOCK_SKEW_EVIDENCE) {
                String v = e.getAttributes().get(k);
                if (v != null) {
                    f.with(k, v.length() > 32 ? v.substring(0, 32) : v);
                }
            }
        }
        return List.of(f);
    }

    /** Resolves bursts that have been quiet for the configured period; drops closed windows. */
    public List<Finding> onTimer(Map<String, BurstWindow> bursts, SecuritySubject s, long now) {
        List<Finding> out = new ArrayList<>();
        bursts.entrySet().removeIf(en -> {
            BurstWindow w = en.getValue();
            if (w.quietExpired(now, cfg.burstQuietMs)) {
                out.add(finding(s, en.getKey(), Action.CLEAR, now, "quiet for " + cfg.burstQuietMs / 1000 + " s")
                        .with("events", w.eventsSinceOpen).with("lastAt", w.lastEvent));
                return true;
            }
            // Closed windows whose events all fell out of the window hold nothing worth keeping.
            return !w.open && now - w.lastEvent >= horizon(en.getKey());
        });
        return out;
    }

    /** When {@link #onTimer} should next run for this state, or {@code Long.MAX_VALUE} if never. */
    public long nextTimer(Map<String, BurstWindow> bursts) {
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, BurstWindow> en : bursts.entrySet()) {
            BurstWindow w = en.getValue();
            next = Math.min(next, w.lastEvent + (w.open ? cfg.burstQuietMs : horizon(en.getKey())));
        }
        return next;
    }

    private static Finding finding(SecuritySubject s, String ruleId, Action action, long ts, String summary) {
        return s.kind() == Kind.DEVICE
                ? Finding.device(ruleId, action, s.tenant(), s.id(), ts, summary)
                : Finding.other(ruleId, action, s.tenant(), s.kind().dimension, s.id(), ts, summary);
    }
}
