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
 * without history): CMP-RATE-002 (traffic many times the model's, judged as a ratio in log space), CMP-NET-002 (a listening
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
 * a genuine 10 s reporter. Each baseline is seeded by five different devices ({@link #learn}). A device with
 * CMP-RATE-002 open teaches the traffic baseline nothing until it clears.
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
    /**
     * Floor of CMP-RATE-002's log-traffic scale: a model whose devices all send the same is scored as if they differed by
     * 25 % (the relative floor the other baselines use), so {@code peer.k} 3 is then 1.95x its level.
     */
    static final double TRAFFIC_MIN_LOG_SCALE = Math.log(1.25);
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

        open = traffic(s, o, open, out);
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
     * CMP-RATE-002: the report's outbound traffic as a ratio to its peers', in log space: {@code log(bytes/s + floor)}
     * against the robust level and spread of the same over the model's devices in the device's region and over the whole
     * model (flagged over either fence), so a plug at 300 B/s sending 8x and a camera at 60 kB/s sending 8x are judged
     * alike (the old linear scale with a 1 kB/s absolute floor never saw the plug). The spread is that between the
     * devices: in a region, households (several times apart); over the model, households and regions at different hours
     * of their day, so the region's fence is the tighter one and the model's the backstop. Never under a 25 % ratio;
     * {@code peer.trafficFloor} only matters for models sending next to nothing.
     *
     * <p>An established device (a traffic baseline of its own) must also be far above its own level, or twice as far above
     * its peers: a household busier than its peers all along is its own normal.
     *
     * <p>A device with the rule open teaches the model nothing (nor does any report at or over the threshold), so a
     * flagged device hovering near its fence cannot widen it; it clears when its reports have stayed under half the
     * threshold for {@code peer.clearAfter} of event time (hysteresis in value and in time: a device whose ratio to
     * its peers dips for a report or two does not open, clear and open again).
     */
    private int traffic(ModelPeerState s, PeerObservation o, int open, List<Finding> out) {
        double x = o.bytesOutPerSecond;
        if (!(x >= 0)) {
            return open; // NaN or negative: nothing to judge, and it must not reach the baseline
        }
        double level = Math.log(x + cfg.peerTrafficFloor);
        boolean wasOpen = (open & RATE) != 0;
        boolean overFence = false;
        String regionKey = o.region == null ? "" : o.region;
        RobustBaseline region = s.regionTraffic.get(regionKey);
        if (region == null && s.regionTraffic.size() < MAX_REGIONS) {
            region = new RobustBaseline();
            s.regionTraffic.put(regionKey, region);
        }
        // The device's peers: its model's devices in its region once they are a baseline (same hour of their day), and
        // the whole model in any case, so a region a few devices make up (a hostile device names any region) or a full
        // region table never hides a device far above its model.
        RobustBaseline peers = null;
        double score = Double.NEGATIVE_INFINITY;
        if (s.logTraffic.ready(cfg.peerMinSamples)) {
            peers = s.logTraffic;
            score = (level - s.logTraffic.center) / trafficScale(s.logTraffic);
        }
        if (region != null && region.ready(cfg.peerMinSamples)) {
            double regional = (level - region.center) / trafficScale(region);
            if (peers == null || regional > score) {
                peers = region;
                score = regional;
            }
        }
        if (peers != null) {
            double scale = trafficScale(peers);
            overFence = score >= cfg.peerK;
            // Own verdict (as CMP-RES-001): a device without a traffic baseline of its own, or with this rule open, is judged
            // by its peers alone; an established device must also be far above its own level (a household busier than its
            // peers all along is its own normal), unless it is twice as far above its peers (a slow ramp teaches the own
            // baseline, not the model's).
            boolean peersAlone = !o.trafficOwnKnown || wasOpen;
            boolean anomalous = overFence && (peersAlone || o.trafficOwnHigh || score >= 2 * cfg.peerK);
            if (overFence) {
                s.trafficCalmSince.remove(o.deviceId);
            }
            if (anomalous) {
                if (!wasOpen) {
                    open |= RATE;
                    double fence = Math.exp(peers.center + cfg.peerK * scale) - cfg.peerTrafficFloor;
                    double peerLevel = level(peers);
                    String within = peers == s.logTraffic ? "model " + o.model : "model " + o.model + " in " + regionKey;
                    out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_PEERS.id(), Action.OPEN, o.tenant, o.deviceId, o.timestamp,
                                    String.format("bytes out %.0f/s, %.1fx %s level %.0f/s", x,
                                            (x + cfg.peerTrafficFloor) / Math.exp(peers.center), within, peerLevel))
                            .with("bytesOutPerSecond", BehaviourRules.round(x))
                            .with("modelBaseline", BehaviourRules.round(trafficLevel(s)))
                            .with("peerBaseline", BehaviourRules.round(peerLevel))
                            .with("peerFence", BehaviourRules.round(fence))
                            .with("peers", peers == s.logTraffic ? "model" : "region")
                            .with("robustScore", BehaviourRules.round(score)).with("threshold", cfg.peerK).with("model", o.model));
                }
            } else if (wasOpen && score < cfg.peerK / 2) {
                long since = s.trafficCalmSince.computeIfAbsent(o.deviceId, d -> o.timestamp);
                if (o.timestamp - since >= cfg.peerClearAfterMs) {
                    open &= ~RATE;
                    s.trafficCalmSince.remove(o.deviceId);
                    out.add(Finding.device(RuleCatalogue.PUBLISH_RATE_PEERS.id(), Action.CLEAR, o.tenant, o.deviceId, o.timestamp,
                                    "back within model peers").with("bytesOutPerSecond", BehaviourRules.round(x))
                            .with("modelBaseline", BehaviourRules.round(trafficLevel(s))));
                }
            } else if (wasOpen) {
                s.trafficCalmSince.remove(o.deviceId); // between half and the whole threshold: not calm yet
            }
        }
        // Over the fence (flagged or an established device's own normal) or flagged: not the model's normal either.
        if (!overFence && (open & RATE) == 0 && o.teachesPeers) {
            s.logTrafficSeeders = learn(s.logTraffic, s.logTrafficSeeders, o.deviceId, level);
            if (region != null) {
                Set<String> seeders = learn(region, s.regionTrafficSeeders.get(regionKey), o.deviceId, level);
                if (seeders == null || seeders.isEmpty()) {
                    s.regionTrafficSeeders.remove(regionKey);
                } else {
                    s.regionTrafficSeeders.put(regionKey, seeders);
                }
            }
        }
        if ((open & RATE) == 0) {
            s.trafficCalmSince.remove(o.deviceId);
        }
        return open;
    }

    /** The spread CMP-RATE-002 scores with: 1.4826 MAD of the model's log traffic, at least {@link #TRAFFIC_MIN_LOG_SCALE}. */
    static double trafficScale(RobustBaseline b) {
        return Math.max(1.4826 * b.mad, TRAFFIC_MIN_LOG_SCALE);
    }

    /** The model's traffic level in bytes/s (its log-space centre back on the linear scale). */
    double trafficLevel(ModelPeerState s) {
        return level(s.logTraffic);
    }

    private double level(RobustBaseline logTraffic) {
        return Math.max(0, Math.exp(logTraffic.center) - cfg.peerTrafficFloor);
    }

    /**
     * The bytes/s at which CMP-RATE-002 opens for a device of {@code region} (null: none) without a traffic baseline of its
     * own, as the model stands: the lower of its region's fence (once that is a baseline) and the model's.
     */
    public double trafficFence(ModelPeerState s, String region) {
        double fence = Math.exp(s.logTraffic.center + cfg.peerK * trafficScale(s.logTraffic));
        RobustBaseline r = s.regionTraffic.get(region == null ? "" : region);
        if (r != null && r.ready(cfg.peerMinSamples)) {
            fence = Math.min(fence, Math.exp(r.center + cfg.peerK * trafficScale(r)));
        }
        return fence - cfg.peerTrafficFloor;
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
