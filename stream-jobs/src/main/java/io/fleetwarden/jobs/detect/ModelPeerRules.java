package io.fleetwarden.jobs.detect;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.DetectionConfig;
import io.fleetwarden.jobs.rules.Rule;
import io.fleetwarden.jobs.rules.RuleCatalogue;

/**
 * Devices against their model's peers, from a device's first report (the peers are the prior of a device
 * without history): CMP-RATE-002 (traffic far above the model's robust baseline), CMP-NET-002 (a listening
 * port few peers of the model listen on), CMP-RATE-003 (messages per minute far above the model's, for a device
 * without a rate baseline of its own) and CMP-RES-001 (CPU or memory far above the device's own baseline,
 * reported by {@link ResourceRules}, and the model's, sustained). Time is the observation's event time.
 *
 * <p>Hostile devices: every baseline learns only samples it does not flag, each with a Huber-clipped EWMA step
 * (one device among many moves it by a fraction of one step per report); a port becomes one of the model's
 * services only when {@code peer.portRollout} distinct devices listen on it, so one device cannot teach its
 * peers a port. A device can publish at most one closed minute per minute of broker time (event time is bounded
 * by broker time), so a flooding device adds no more samples to the message-rate prior than a quiet one; and at most
 * {@link BehaviourRules#PEER_SAMPLES_PER_MINUTE} reports a minute to the traffic, CPU and memory baselines, as many as
 * a genuine 10 s reporter. Each baseline is seeded by five different devices ({@link #learn}).
 */
public final class ModelPeerRules implements FleetRule<PeerObservation, ModelPeerState> {

    private static final long serialVersionUID = 1L;

    static final int RATE = 1;
    static final int PORT = 2;
    static final int FIRST_HOUR_RATE = 4;
    static final int RESOURCES = 8;
    /** At most this many ports are tracked per model; an untracked port is always suspicious (fails closed). */
    static final int MAX_PORTS = 64;
    /** At most this many regions per model keep hourly peer figures; a device of another region is not judged by them. */
    static final int MAX_REGIONS = 64;
    private static final long HOUR = 3_600_000L;
    /** Robust deviations of the model's device levels (log) above the peers' median a device may sit by its own level. */
    static final double FENCE_DEVIATIONS = 3;
    /** Floors of the messages-per-minute scale: 25 % of the level, at least 2 messages a minute (as CMP-RATE-001). */
    private static final double RATE_RELATIVE_FLOOR = 0.25;
    private static final double RATE_ABSOLUTE_FLOOR = 2.0;

    private final DetectionConfig cfg;
    /** Device ids sampled per model: enough for the 10 % cap of the rollout threshold to reach {@code peer.portRollout}. */
    private final int deviceSample;

    public ModelPeerRules(DetectionConfig cfg) {
        this.cfg = cfg;
        this.deviceSample = Math.max(64, 10 * cfg.peerPortRollout);
    }

    @Override
    public String name() {
        return "model-peers";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.PUBLISH_RATE_PEERS.id(), RuleCatalogue.NEW_MODEL_PORT.id());
    }

    @Override
    public Class<ModelPeerState> stateClass() {
        return ModelPeerState.class;
    }

    @Override
    public ModelPeerState newState() {
        return new ModelPeerState();
    }

    @Override
    public List<Finding> onInput(ModelPeerState s, String key, PeerObservation o) {
        return onObservation(s, o);
    }

    public List<Finding> onObservation(ModelPeerState s, PeerObservation o) {
        List<Finding> out = new ArrayList<>(0);
        if (s.firstSeen == Long.MIN_VALUE) {
            s.firstSeen = o.timestamp;
        }
        if (s.devices.size() < deviceSample) {
            s.devices.add(o.deviceId);
        }
        int open = s.open.getOrDefault(o.deviceId, 0);

        boolean anomalous = false;
        if (s.traffic.ready(cfg.peerMinSamples)) {
            double score = s.traffic.score(o.bytesOutPerSecond, 0.25, 1024.0);
            anomalous = score >= cfg.peerK;
            if (anomalous && (open & RATE) == 0) {
                open |= RATE;
                out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_PEERS.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                                String.format("bytes out %.0f/s vs model %s median %.0f/s", o.bytesOutPerSecond, o.model, s.traffic.center))
                        .with("bytesOutPerSecond", BehaviourRules.round(o.bytesOutPerSecond))
                        .with("modelBaseline", BehaviourRules.round(s.traffic.center))
                        .with("robustScore", BehaviourRules.round(score)).with("model", o.model));
            } else if ((open & RATE) != 0 && score < cfg.peerK / 2) {
                open &= ~RATE;
                out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_PEERS.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                        "back within model peers").with("bytesOutPerSecond", BehaviourRules.round(o.bytesOutPerSecond)));
            }
        }
        if (!anomalous && o.teachesPeers) {
            s.trafficSeeders = learn(s.traffic, s.trafficSeeders, o.deviceId, o.bytesOutPerSecond);
        }

        open = firstHourRate(s, o, open, out);
        open = resources(s, o, open, out);
        open = ports(s, o, open, out);

        if (open == 0) {
            s.open.remove(o.deviceId);
        } else {
            s.open.put(o.deviceId, open);
        }
        return out;
    }

    /**
     * Feeds one device's sample into one of the model's baselines; returns the seeders set to keep. A model's baseline
     * describes its devices, not its first device: while it is seeding (its first {@link RobustBaseline#SEED} samples fix
     * its exact median and MAD) it takes ONE sample per device, so the spread it starts from is the spread between
     * devices. Otherwise the first device to report (a slow fleet start, a device reporting every few seconds) seeds it
     * alone with its own level and its own noise, and a genuine device of the same model at three times that level
     * (households differ that much) is far outside a spread that never saw a second device. After seeding, every sample
     * moves it by a clipped EWMA step as before.
     */
    private Set<String> learn(RobustBaseline b, Set<String> seeders, String deviceId, double x) {
        if (b.samples >= RobustBaseline.SEED) {
            b.update(x, cfg.baselineAlpha);
            return seeders;
        }
        Set<String> seeded = seeders == null ? new HashSet<>() : seeders;
        if (seeded.add(deviceId)) {
            b.update(x, cfg.baselineAlpha);
        }
        if (b.samples >= RobustBaseline.SEED) {
            seeded.clear();
        }
        return seeded;
    }

    /**
     * When hour {@code hourStart}'s peer figures are final: the hour's end plus {@code traffic.peerGrace}. Votes closed
     * after it do not count, and every vote of the hour is judged against the figures as they stand then, so a verdict
     * depends on event time only, never on how the sources interleave (the stage judges when the watermark passes it).
     */
    public long finalAt(long hourStart) {
        return hourStart + HOUR + cfg.trafficPeerGraceMs;
    }

    /**
     * CMP-NET-004's slow horizon, the peer half: adds the device's closed hour as its vote (one per device and hour) to
     * its model's figures for its region, and returns the hour to keep until {@link #finalAt} its hour, then to
     * {@link #judge}; null when the observation closed no hour, closed it after the grace ({@code traffic.peerGrace}:
     * it neither votes nor is judged), or the hour is final already ({@code watermark} past it: a late observation).
     */
    public PeerHour vote(ModelPeerState s, PeerObservation o, long watermark) {
        if (o.hourStart == Long.MIN_VALUE || !(o.hourBytesOut >= 0) || Double.isInfinite(o.hourBytesOut)) {
            return null;
        }
        long finalAt = finalAt(o.hourStart);
        if (o.timestamp >= finalAt || watermark >= finalAt) {
            return null;
        }
        String region = o.region == null ? "" : o.region;
        PeerHours h = s.trafficHours.get(region);
        if (h == null) {
            if (s.trafficHours.size() >= MAX_REGIONS) {
                return null;
            }
            h = new PeerHours();
            s.trafficHours.put(region, h);
        }
        h.advanceTo(o.hourStart, HOUR);
        if (o.hourStart == h.hour) {
            h.addCurrent(o.hourBytesOut);
        } else if (o.hourStart == h.previousHour) {
            h.addPrevious(o.hourBytesOut);
        } else {
            return null; // older than both hours kept (only with sources over an hour apart): too late to count
        }
        PeerHour p = new PeerHour();
        p.tenant = o.tenant;
        p.deviceId = o.deviceId;
        p.model = o.model;
        p.region = o.region;
        p.hourStart = o.hourStart;
        p.timestamp = o.timestamp;
        p.deviceBytesOut = o.hourBytesOut;
        return p;
    }

    /**
     * Fills in a voted hour's peer figures once they are final: the median of the OTHER devices' votes for that hour (the
     * device's own vote is left out) and the peers' upper fence; false when the hour has fewer than
     * {@code traffic.peerDevices} other votes or is no longer kept.
     */
    public boolean judge(ModelPeerState s, PeerHour p) {
        PeerHours h = s.trafficHours.get(p.region == null ? "" : p.region);
        if (h == null) {
            return false;
        }
        int[] bins;
        int[] counts;
        int votes;
        if (p.hourStart == h.hour) {
            bins = h.bins;
            counts = h.counts;
            votes = h.votes;
        } else if (p.hourStart == h.previousHour) {
            bins = h.previousBins;
            counts = h.previousCounts;
            votes = h.previousVotes;
        } else {
            return false;
        }
        if (votes < cfg.trafficPeerDevices + 1) { // the device's own vote and at least traffic.peerDevices others
            return false;
        }
        p.peerBytesOut = PeerHours.medianWithout(bins, counts, votes, p.deviceBytesOut);
        // FENCE_DEVIATIONS robust deviations of the devices' log levels (MAD, at least half a bin): as robust as the median
        double mad = Math.max(PeerHours.madLog(bins, counts, votes), 0.5 / PeerHours.BINS_PER_LOG);
        p.peerFence = Math.exp(FENCE_DEVIATIONS * 1.4826 * mad);
        p.peers = votes - 1;
        p.judgedAt = finalAt(p.hourStart);
        return true;
    }

    /**
     * CMP-RATE-003: a closed minute of a device without a rate baseline of its own (or with this rule open, so an
     * alert does not end just because the device has by now learnt its flood as its own normal) against the
     * model's messages per device-minute.
     */
    private int firstHourRate(ModelPeerState s, PeerObservation o, int open, List<Finding> out) {
        if (o.messagesPerMinute < 0) {
            return open;
        }
        double x = o.messagesPerMinute;
        boolean anomalous = false;
        if (s.messageRate.ready(cfg.firstHourMinSamples) && (!o.ownRateReady || (open & FIRST_HOUR_RATE) != 0)) {
            double score = s.messageRate.score(x, RATE_RELATIVE_FLOOR, RATE_ABSOLUTE_FLOOR);
            anomalous = score >= cfg.firstHourK;
            if (anomalous && (open & FIRST_HOUR_RATE) == 0) {
                open |= FIRST_HOUR_RATE;
                out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_FIRST_HOUR.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                                String.format("%d msgs/min vs model %s median %.1f/min", o.messagesPerMinute, o.model, s.messageRate.center))
                        .with("messagesPerMinute", o.messagesPerMinute)
                        .with("modelBaseline", BehaviourRules.round(s.messageRate.center))
                        .with("robustScore", BehaviourRules.round(score)).with("threshold", cfg.firstHourK).with("model", o.model));
            } else if ((open & FIRST_HOUR_RATE) != 0 && score < cfg.firstHourK / 2) {
                open &= ~FIRST_HOUR_RATE;
                out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_FIRST_HOUR.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                        "messages per minute back within model peers").with("messagesPerMinute", o.messagesPerMinute));
            }
        } else if (s.messageRate.ready(cfg.firstHourMinSamples)) {
            // An established device: CMP-RATE-001 judges it; its minute still teaches the prior unless far off.
            anomalous = s.messageRate.score(x, RATE_RELATIVE_FLOOR, RATE_ABSOLUTE_FLOOR) >= cfg.firstHourK;
        }
        if (!anomalous) {
            s.messageRateSeeders = learn(s.messageRate, s.messageRateSeeders, o.deviceId, x);
        }
        return open;
    }

    /**
     * CMP-RES-001: CPU or memory far above the model's peers and (when the device has a baseline of its own, and
     * the rule is not open yet) above its own, or twice as far above the peers, for {@code resources.sustained}
     * reports in a row.
     */
    private int resources(ModelPeerState s, PeerObservation o, int open, List<Finding> out) {
        if (!Double.isFinite(o.cpuPercent) || !Double.isFinite(o.memoryPercent)) {
            return open;
        }
        boolean ready = s.cpu.ready(cfg.peerMinSamples);
        double cpuScore = ready ? s.cpu.score(o.cpuPercent, ResourceRules.RELATIVE_FLOOR, ResourceRules.ABSOLUTE_FLOOR) : 0;
        double memScore = ready ? s.memory.score(o.memoryPercent, ResourceRules.RELATIVE_FLOOR, ResourceRules.ABSOLUTE_FLOOR) : 0;
        boolean wasOpen = (open & RESOURCES) != 0;
        // Own verdict: unknown (no baseline yet) and an open alert leave it to the peers; otherwise the same quantity
        // must be far from the device's own baseline too (a device busier than its peers all along is its own normal),
        // unless it is twice as far from its peers: a slow ramp teaches the own baseline, not the model's.
        boolean ownUnknown = (o.resourcesOwn & PeerObservation.OWN_KNOWN) == 0 || wasOpen;
        double k = cfg.resourcesK;
        boolean cpuHigh = cpuScore >= k && (ownUnknown || cpuScore >= 2 * k || (o.resourcesOwn & PeerObservation.OWN_CPU_HIGH) != 0);
        boolean memHigh = memScore >= k && (ownUnknown || memScore >= 2 * k || (o.resourcesOwn & PeerObservation.OWN_MEMORY_HIGH) != 0);
        if (cpuHigh || memHigh) {
            int streak = s.resourceStreak.merge(o.deviceId, 1, Integer::sum);
            if (streak >= cfg.resourcesSustained && !wasOpen) {
                open |= RESOURCES;
                out.add(Finding.device(RuleCatalogue.RESOURCE_ABUSE.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                                String.format("cpu %.0f %% (model %.0f %%), memory %.0f %% (model %.0f %%) for %d reports",
                                        o.cpuPercent, s.cpu.center, o.memoryPercent, s.memory.center, streak))
                        .with("cpuPercent", BehaviourRules.round(o.cpuPercent))
                        .with("memoryPercent", BehaviourRules.round(o.memoryPercent))
                        .with("modelCpuPercent", BehaviourRules.round(s.cpu.center))
                        .with("modelMemoryPercent", BehaviourRules.round(s.memory.center))
                        .with("cpuScore", BehaviourRules.round(cpuScore)).with("memoryScore", BehaviourRules.round(memScore))
                        .with("ownBaseline", (o.resourcesOwn & PeerObservation.OWN_KNOWN) != 0)
                        .with("reports", streak).with("model", o.model));
            }
        } else {
            s.resourceStreak.remove(o.deviceId);
            if (wasOpen && cpuScore < cfg.resourcesK / 2 && memScore < cfg.resourcesK / 2) {
                open &= ~RESOURCES;
                out.add(Finding.device(RuleCatalogue.RESOURCE_ABUSE.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                                "resource use back within model peers")
                        .with("cpuPercent", BehaviourRules.round(o.cpuPercent))
                        .with("memoryPercent", BehaviourRules.round(o.memoryPercent)));
            }
        }
        if (cpuScore < cfg.resourcesK && o.teachesPeers) {
            s.cpuSeeders = learn(s.cpu, s.cpuSeeders, o.deviceId, o.cpuPercent);
        }
        if (memScore < cfg.resourcesK && o.teachesPeers) {
            s.memorySeeders = learn(s.memory, s.memorySeeders, o.deviceId, o.memoryPercent);
        }
        return open;
    }

    /**
     * CMP-NET-002: a port is one of the model's services while at least {@code peer.portRollout} distinct devices
     * listen on it (at most 10 % of the model's devices so far, at least 2: a small model is judged too), so a
     * rollout across the model is accepted once its first few devices have it. A port on fewer devices is
     * suspicious from the device's first report, as soon as the model has another device to compare with; the
     * count is judged against the model's size at every report, so a port that looked common while the model had
     * two devices is not a service of a model of sixty. A model with a single device so far falls back to the
     * ports learnt in its learning period.
     */
    private int ports(ModelPeerState s, PeerObservation o, int open, List<Finding> out) {
        int models = s.devices.size();
        int needed = Math.min(cfg.peerPortRollout, Math.max(2, (models + 9) / 10));
        boolean learning = o.timestamp - s.firstSeen < cfg.peerPortLearningMs;
        TreeSet<Integer> novel = null; // allocated only for a device with a port its peers lack
        List<Integer> ports = o.listeningPorts == null ? List.of() : o.listeningPorts;
        for (int i = 0, n = ports.size(); i < n; i++) {
            Integer p = ports.get(i);
            if (p == null) {
                continue;
            }
            Set<String> listeners = s.portDevices.get(p);
            if (listeners == null && s.portDevices.size() < MAX_PORTS) {
                listeners = new HashSet<>();
                s.portDevices.put(p, listeners);
            }
            if (listeners != null && listeners.size() < cfg.peerPortRollout) {
                listeners.add(o.deviceId);
            }
            if (models <= 1) {
                // A single device so far: nothing to compare with; its learning period is the fallback. Once the model
                // has a second device, its peers judge every port (what the first device had is no longer a given).
                if (learning && s.knownPorts.size() < MAX_PORTS) {
                    s.knownPorts.add(p);
                }
                if (s.knownPorts.contains(p)) {
                    continue;
                }
            } else if (listeners != null && listeners.size() >= needed) {
                continue; // on enough distinct peers: a service of the model (a rollout), not one device's secret
            }
            if (novel == null) {
                novel = new TreeSet<>();
            }
            novel.add(p);
        }
        if (novel != null && (open & PORT) == 0) {
            open |= PORT;
            out.add(Finding.device(RuleCatalogue.NEW_MODEL_PORT.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                            "listening on " + novel + ", not a service of model " + o.model)
                    .with("ports", novel).with("model", o.model).with("modelDevices", models)
                    .with("peersNeeded", needed));
        } else if (novel == null && (open & PORT) != 0) {
            open &= ~PORT;
            out.add(Finding.device(RuleCatalogue.NEW_MODEL_PORT.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                    "no ports its peers lack").with("listeningPorts", ports));
        }
        return open;
    }

    /** The rules this stage emits. */
    public static List<Rule> rules() {
        return List.of(RuleCatalogue.PUBLISH_RATE_PEERS, RuleCatalogue.NEW_MODEL_PORT, RuleCatalogue.PUBLISH_RATE_FIRST_HOUR,
                RuleCatalogue.RESOURCE_ABUSE);
    }
}
