package io.fleetwarden.simulator.replay;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import io.fleetwarden.model.BrokerContext;
import io.fleetwarden.model.EventTime;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;
import io.fleetwarden.model.NetworkConnection;
import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;
import io.fleetwarden.model.Telemetry;
import io.fleetwarden.model.firmware.FirmwareCurrency;
import io.fleetwarden.model.payload.DevicePayloads;
import io.fleetwarden.model.payload.DeviceTelemetryPayload;
import io.fleetwarden.simulator.model.DeviceCondition;
import io.fleetwarden.simulator.model.DeviceModel;
import io.fleetwarden.simulator.model.DeviceSpec;
import io.fleetwarden.simulator.model.DeviceModels;
import io.fleetwarden.simulator.model.Effect;
import io.fleetwarden.simulator.model.FirmwareCatalog;
import io.fleetwarden.simulator.model.FirmwareImages;
import io.fleetwarden.simulator.model.Fleet;
import io.fleetwarden.simulator.model.Region;
import io.fleetwarden.simulator.model.TelemetryGenerator;

/**
 * Plays a fleet's life over days in simulated time and hands every record a real broker would have
 * written ({@code fleet.telemetry} with its {@link BrokerContext}, {@code fleet.security-events}) to a
 * {@link Sink}, in broker-time order, as fast as the sink takes them.
 *
 * <p><b>Time.</b> The simulation clock is broker time: it stamps {@code receivedAt} and every security
 * event. A device's {@code deviceTime} is broker time plus the device's clock offset (bounded by
 * {@link ReplayOptions#maxClockSkew()}, drifting slowly) minus a network delay of 20-400 ms.
 *
 * <p><b>Determinism.</b> Readings come from {@link TelemetryGenerator} (addressed noise); every other
 * random choice comes from a {@link SplittableRandom} seeded from the replay seed and the thing being
 * decided (device, scenario). The event queue breaks ties by insertion order and runs on one thread, so
 * one seed gives the same records in the same order.
 *
 * <p><b>Shape of the records.</b> As the broker extension writes them: CONNECT {@code connected} with the
 * certificate serial attribute; DISCONNECT {@code connection-lost} (power or network loss),
 * {@code client-disconnect} (the device's own DISCONNECT before a planned reboot or when retired),
 * {@code session-takeover} and {@code disconnected-by-broker} with the MQTT reason code; refused CONNECTs
 * with default credentials carry no verified identity (the broker checks passwords before the
 * certificate); revoked certificates do. Records are not run through the JSON device payload: the
 * replay writes what the broker forwards after validation.
 */
public final class ReplayEngine {

    /** Where records go. Called on the replay thread, in broker-time order. */
    public interface Sink {
        void telemetry(Telemetry telemetry);

        void securityEvent(SecurityEvent event);
    }

    private static final long S = 1000L;
    private static final long MIN = 60 * S;
    private static final long H = 60 * MIN;
    private static final long D = 24 * H;
    private static final String TLS = "TLSv1.3";
    private static final String CIPHER = "TLS_AES_128_GCM_SHA256";
    private static final int[] BACKDOOR_PORTS = {4444, 5555, 7547, 31337, 9999};
    private static final String[] DEFAULT_USERS = {"admin", "root", "user", "support", "guest"};
    private static final double RATE_LIMIT_PER_SECOND = 5;
    private static final int RATE_LIMIT_BURST = 20;

    private final ReplayOptions o;
    private final Sink sink;
    private final TelemetryGenerator generator;
    private final RuleFamilies families;
    private final long start;
    private final long end;
    private final PriorityQueue<Ev> queue = new PriorityQueue<>(Comparator.<Ev>comparingLong(e -> e.at).thenComparingLong(e -> e.order));
    private final List<Dev> devs = new ArrayList<>();
    private final List<ReplayInstance> instances = new ArrayList<>();
    private final Map<String, Rollout> rollouts = new HashMap<>();
    private final Set<Integer> reserved = new HashSet<>();
    private final String[] brokerIds;
    private long order;
    private long now;
    private long telemetryCount;
    private long securityCount;
    private double deviceMillis;

    /** Events of the simulation: a device's next report ({@code action == null}) or a scripted step. */
    private static final class Ev {
        final long at;
        final long order;
        final Dev dev;
        final Runnable action;

        Ev(long at, long order, Dev dev, Runnable action) {
            this.at = at;
            this.order = order;
            this.dev = dev;
            this.action = action;
        }
    }

    /** A new release of a model, rolled out in waves. */
    record Rollout(String model, String version, long releasedAt) {
    }

    /** One device's changeable state. */
    private static final class Dev {
        final DeviceSpec spec;
        final SplittableRandom random;
        long joinAt;
        long leaveAt = Long.MAX_VALUE;
        boolean joined;
        boolean left;
        int down;
        boolean connected;
        String address;
        int broker;
        String serial;
        String fingerprint;
        long notAfter;
        long seq;
        long bootedAt;
        String firmware;
        String hash;
        double offsetMs;
        double driftPerMs;
        boolean mobile;
        BrokerContext context;
        // update status reported in telemetry
        Effect updateEffect;
        String updateTarget;
        int updateAttempts;
        // attack effects on telemetry
        ReplayInstance botnet;
        int[] botnetPorts = new int[0];
        int scanPerReport;
        double trafficBoost = 1;
        double botnetCpu;
        ReplayInstance backdoor;
        int backdoorPort;
        ReplayInstance exfil;
        long exfilFrom;
        long exfilTo;
        double exfilMax;
        ReplayInstance slowScan;
        long scanFrom;
        long scanTo;
        int scanTotal;
        int scanSent;
        ReplayInstance firmwareMark;
        ReplayInstance clockMark;

        Dev(DeviceSpec spec, long seed) {
            this.spec = spec;
            this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + spec.index());
        }

        String id() {
            return spec.deviceId();
        }
    }

    public ReplayEngine(ReplayOptions options, Sink sink) {
        this.o = options;
        this.sink = sink;
        this.generator = new TelemetryGenerator(options.seed());
        this.families = RuleFamilies.load();
        this.start = options.start().toEpochMilli();
        this.end = options.end().toEpochMilli();
        this.brokerIds = new String[options.brokers()];
        for (int b = 0; b < brokerIds.length; b++) {
            brokerIds[b] = "edge-" + (b + 1);
        }
    }

    /** The new releases rolled out during the replay (one per model), for the firmware catalog. */
    public List<Rollout> rollouts() {
        return List.copyOf(rollouts.values());
    }

    public long telemetryCount() {
        return telemetryCount;
    }

    public long securityEventCount() {
        return securityCount;
    }

    /** Device-hours the fleet was present (joined and not yet retired) during the replay. */
    public double deviceHours() {
        return deviceMillis / H;
    }

    /** Scenario instances planned (happened or not), in plan order. */
    List<ReplayInstance> instances() {
        return instances;
    }

    /** Plans the fleet's life and the attacks. Call once, before {@link #run()}. */
    public void plan() {
        SplittableRandom r = new SplittableRandom(o.seed());
        int joiners = Math.max(1, (int) Math.round(o.devices() * 0.03));
        int firmwareJoiners = o.attacks().contains(ReplayKind.STALE_FIRMWARE) || o.attacks().contains(ReplayKind.VULNERABLE_FIRMWARE)
                ? 2 * o.attackRounds() : 0;
        int exfilJoiners = o.attacks().contains(ReplayKind.STEADY_EXFILTRATION) ? o.attackRounds() : 0;
        Fleet fleet = Fleet.build(o.seed(), o.devices() + joiners + firmwareJoiners + exfilJoiners, o.tenant());
        for (DeviceSpec spec : fleet.devices()) {
            Dev d = new Dev(spec, o.seed());
            d.firmware = spec.firmwareVersion();
            d.hash = FirmwareImages.genuineHash(spec.model().name(), d.firmware);
            d.broker = Math.floorMod(spec.deviceId().hashCode(), brokerIds.length);
            newCertificate(d, start + (long) ((1 + 2 * d.random.nextDouble()) * 365 * D));
            clock(d);
            devs.add(d);
        }
        assignAddresses(r);
        for (int i = 0; i < o.devices(); i++) {
            devs.get(i).joinAt = start + (long) (devs.get(i).random.nextDouble() * 5 * MIN); // the replay opens with the fleet connecting
        }
        long span = end - start;
        for (int i = o.devices(); i < o.devices() + joiners; i++) {
            Dev d = devs.get(i);
            d.joinAt = start + (long) ((0.05 + 0.9 * d.random.nextDouble()) * span);
            benign(ReplayKind.JOIN, d);
            reserved.add(i);
        }
        for (int i = o.devices() + joiners; i < devs.size(); i++) {
            devs.get(i).joinAt = Long.MAX_VALUE; // firmware-join and steady-exfiltration attacks decide
            reserved.add(i);
        }
        int retiring = (int) Math.round(o.devices() * 0.01);
        for (int k = 0; k < retiring; k++) {
            Dev d = devs.get(r.nextInt(o.devices()));
            if (d.leaveAt == Long.MAX_VALUE && !d.mobile) {
                d.leaveAt = start + (long) ((0.1 + 0.85 * d.random.nextDouble()) * span);
                reserved.add(d.spec.index());
            }
        }
        planReleases(r);
        int n = 0;
        for (int round = 0; round < o.attackRounds(); round++) {
            for (ReplayKind k : o.attacks()) {
                SplittableRandom ar = new SplittableRandom(o.seed() * 31 + k.ordinal() * 1009L + round * 7919L);
                planAttack(k, ar, String.format("r%03d-%s-%d", ++n, k.id(), round + 1));
            }
        }
        planRolloutWaves();
        for (Dev d : devs) {
            planLife(d);
        }
        planMaintenance();
        for (Dev d : devs) {
            if (d.joinAt != Long.MAX_VALUE) {
                long joinAt = d.joinAt;
                at(joinAt, () -> join(d));
            }
        }
    }

    /** Runs the simulation to the end of the replay. */
    public void run() {
        while (!queue.isEmpty()) {
            Ev e = queue.poll();
            if (e.at > end) {
                break;
            }
            now = e.at;
            if (e.action != null) {
                e.action.run();
            } else {
                report(e.dev);
            }
        }
        now = end;
        for (Dev d : devs) {
            if (d.joinAt < end) {
                deviceMillis += Math.min(end, d.leaveAt) - Math.max(start, d.joinAt);
            }
        }
    }

    // ---------------------------------------------------------------- planning: benign life

    private void clock(Dev d) {
        double u = d.random.nextDouble();
        double maxMs = Math.max(0, o.maxClockSkew().toMillis() - 5 * S);
        if (u < 0.90) {
            d.offsetMs = (d.random.nextDouble() * 2 - 1) * Math.min(2 * S, maxMs);
            d.driftPerMs = (d.random.nextDouble() * 2 - 1) * 10e-6;
        } else if (u < 0.98) {
            d.offsetMs = (d.random.nextDouble() * 2 - 1) * Math.min(30 * S, maxMs);
            d.driftPerMs = (d.random.nextDouble() * 2 - 1) * 50e-6;
        } else {
            double mag = Math.min(30 * S, maxMs) + d.random.nextDouble() * Math.max(0, maxMs - 30 * S);
            d.offsetMs = d.random.nextBoolean() ? mag : -mag;
            d.driftPerMs = (d.random.nextDouble() * 2 - 1) * 100e-6;
        }
    }

    /** Households share an address (NAT, 1-6 devices); mobile devices share carrier NAT pools. */
    private void assignAddresses(SplittableRandom r) {
        int left = 0;
        String address = null;
        for (Dev d : devs) {
            d.mobile = d.spec.model().name().startsWith("plug") && d.random.nextDouble() < 0.08;
            if (d.mobile) {
                d.address = carrierAddress(d.random);
                continue;
            }
            if (left == 0) {
                left = 1 + r.nextInt(6);
                address = homeAddress(r);
            }
            d.address = address;
            left--;
        }
    }

    private static String homeAddress(SplittableRandom r) {
        return (r.nextBoolean() ? "81." : "86.") + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    private static String carrierAddress(SplittableRandom r) {
        return "100.64." + r.nextInt(4) + "." + (1 + r.nextInt(16)); // a few carrier-grade NAT addresses shared by many
    }

    private void newCertificate(Dev d, long notAfter) {
        long serial = d.random.nextLong();
        d.serial = Long.toHexString(serial == 0 ? 1 : serial & Long.MAX_VALUE);
        d.fingerprint = UUID.nameUUIDFromBytes((d.id() + ":" + d.serial).getBytes()).toString().replace("-", "")
                + UUID.nameUUIDFromBytes((d.serial + ":" + d.id()).getBytes()).toString().replace("-", "");
        d.notAfter = notAfter;
    }

    private void planReleases(SplittableRandom r) {
        long span = end - start;
        for (DeviceModel m : io.fleetwarden.simulator.model.DeviceModels.ALL) {
            String[] v = m.latest().version().split("\\.");
            String next = v[0] + "." + (Integer.parseInt(v[1]) + 1) + ".0";
            long released = start + (long) ((0.05 + 0.25 * r.nextDouble()) * span);
            rollouts.put(m.name(), new Rollout(m.name(), next, released));
        }
    }

    /** Waves: 5 % of a model's devices within half a wave gap of the release, 25 % one gap later, the rest two gaps later. */
    private void planRolloutWaves() {
        long waveGap = Math.min(D, (end - start) / 5);
        for (DeviceModel m : io.fleetwarden.simulator.model.DeviceModels.ALL) {
            Rollout ro = rollouts.get(m.name());
            ReplayInstance inst = new ReplayInstance("b-rollout-" + m.name() + "-" + ro.version(), ReplayKind.FIRMWARE_ROLLOUT);
            instances.add(inst);
            for (Dev d : devs) {
                if (!d.spec.model().equals(m) || reserved.contains(d.spec.index())) {
                    continue;
                }
                double u = d.random.nextDouble();
                int wave = u < 0.05 ? 0 : u < 0.30 ? 1 : 2;
                long at = ro.releasedAt() + wave * waveGap + (long) (d.random.nextDouble() * waveGap / 2);
                if (at >= end) {
                    continue;
                }
                inst.devices.add(d.id());
                boolean failOnce = d.random.nextDouble() < 0.02;
                at(at, () -> update(d, ro.version(), failOnce, inst));
            }
        }
    }

    private void update(Dev d, String version, boolean failOnce, ReplayInstance inst) {
        if (d.left || !d.joined || d.firmware.equals(version)) {
            return;
        }
        inst.touch(now);
        d.updateEffect = Effect.UPDATE_DOWNLOADING;
        d.updateTarget = version;
        d.updateAttempts = 1;
        long installAt = now + (2 + d.random.nextInt(9)) * MIN;
        at(installAt, () -> d.updateEffect = Effect.UPDATE_INSTALLING);
        long rebootAt = installAt + (1 + d.random.nextInt(3)) * MIN;
        if (failOnce) {
            at(rebootAt, () -> d.updateEffect = Effect.UPDATE_FAILING);
            long retry = rebootAt + (10 + d.random.nextInt(50)) * MIN;
            at(retry, () -> update(d, version, false, inst));
            return;
        }
        at(rebootAt, () -> {
            goDown(d, SecurityEventReasons.CLIENT_DISCONNECT, null);
            inst.touch(now);
        });
        at(rebootAt + (30 + d.random.nextInt(60)) * S, () -> {
            d.firmware = version;
            d.hash = FirmwareImages.genuineHash(d.spec.model().name(), version);
            d.updateEffect = null;
            d.updateTarget = null;
            d.updateAttempts = 0;
            d.bootedAt = now - 5 * S;
            goUp(d);
        });
    }

    private void planLife(Dev d) {
        long from = Math.max(start + 10 * MIN, d.joinAt == Long.MAX_VALUE ? end : d.joinAt + 10 * MIN);
        long to = Math.min(end, d.leaveAt);
        // reboots: about one per 5 days; blips: about one per day; DHCP renewals every ~3 days, ISP change ~monthly
        for (long t = from + exp(d, 5 * D); t < to; t += exp(d, 5 * D)) {
            long off = (20 + d.random.nextInt(100)) * S;
            long at = t;
            ReplayInstance inst = benign(ReplayKind.REBOOT, d);
            at(at, () -> {
                goDown(d, SecurityEventReasons.CONNECTION_LOST, null);
                inst.touch(now);
            });
            at(at + off, () -> {
                d.bootedAt = now - 3 * S;
                goUp(d);
                inst.touch(now);
            });
        }
        for (long t = from + exp(d, D); t < to; t += exp(d, D)) {
            long off = (1 + d.random.nextInt(15)) * S;
            ReplayInstance inst = benign(ReplayKind.BLIP, d);
            long at = t;
            at(at, () -> {
                goDown(d, SecurityEventReasons.CONNECTION_LOST, null);
                inst.touch(now);
            });
            at(at + off, () -> {
                goUp(d);
                inst.touch(now);
            });
        }
        long moveMean = d.mobile ? (1 + d.random.nextInt(3)) * H : 3 * D;
        for (long t = from + exp(d, moveMean); t < to; t += exp(d, moveMean)) {
            ReplayInstance inst = benign(ReplayKind.ADDRESS_MOVE, d);
            long at = t;
            boolean isp = !d.mobile && d.random.nextDouble() < 0.1;
            at(at, () -> {
                goDown(d, SecurityEventReasons.CONNECTION_LOST, null);
                if (d.mobile) {
                    d.address = carrierAddress(d.random);
                } else if (isp) {
                    d.address = homeAddress(d.random);
                } else {
                    d.address = d.address.substring(0, d.address.lastIndexOf('.') + 1) + (1 + d.random.nextInt(254));
                }
                inst.cohort("source-address", d.address);
                inst.touch(now);
            });
            at(at + (1 + d.random.nextInt(10)) * S, () -> {
                goUp(d);
                inst.touch(now);
            });
        }
        if (d.leaveAt != Long.MAX_VALUE && d.leaveAt < end) {
            ReplayInstance inst = benign(ReplayKind.DECOMMISSION, d);
            inst.persistent = true;
            at(d.leaveAt, () -> {
                goDown(d, SecurityEventReasons.CLIENT_DISCONNECT, null);
                d.left = true;
                inst.touch(now);
            });
        }
        if (Math.abs(d.offsetMs) >= 30 * S) {
            ReplayInstance inst = benign(ReplayKind.CLOCK_DRIFT, d);
            inst.persistent = true;
            inst.note = String.format("clock offset %+.1f s, drift %+.0f ppm", d.offsetMs / 1000, d.driftPerMs * 1e6);
            d.clockMark = inst;
        }
    }

    private long exp(Dev d, long mean) {
        return 1 + (long) (-Math.log(1 - d.random.nextDouble()) * mean);
    }

    /** Weekly maintenance per broker (Tuesday 02:00 UTC for edge-1, a day later for each next broker). */
    private void planMaintenance() {
        if (brokerIds.length < 2) {
            return;
        }
        for (int b = 0; b < brokerIds.length; b++) {
            int broker = b;
            DayOfWeek day = DayOfWeek.TUESDAY.plus(b);
            for (long t = start; t < end; t += D) {
                Instant i = Instant.ofEpochMilli(t);
                if (i.atOffset(ZoneOffset.UTC).getDayOfWeek() != day) {
                    continue;
                }
                long window = t - Math.floorMod(t, D) + 2 * H;
                if (window < start + 10 * MIN || window >= end) {
                    continue;
                }
                ReplayInstance inst = new ReplayInstance("b-maintenance-" + brokerIds[b] + "-" + i.atOffset(ZoneOffset.UTC).toLocalDate(),
                        ReplayKind.MAINTENANCE);
                inst.cohort("broker", brokerIds[b]);
                instances.add(inst);
                at(window, () -> drain(broker, inst));
            }
        }
    }

    private void drain(int broker, ReplayInstance inst) {
        SplittableRandom r = new SplittableRandom(o.seed() ^ now);
        for (Dev d : devs) {
            if (d.broker != broker || !d.connected) {
                continue;
            }
            inst.devices.add(d.id());
            long at = now + r.nextInt(10_000);
            long back = at + S + (long) (r.nextDouble() * r.nextDouble() * 29 * S);
            at(at, () -> {
                goDown(d, SecurityEventReasons.DISCONNECTED_BY_BROKER, "SERVER_SHUTTING_DOWN");
                d.broker = (broker + 1 + d.random.nextInt(brokerIds.length - 1)) % brokerIds.length;
                inst.touch(now);
            });
            at(back, () -> {
                goUp(d);
                inst.touch(now);
            });
        }
    }

    private ReplayInstance benign(ReplayKind kind, Dev d) {
        ReplayInstance inst = new ReplayInstance(String.format("b%06d-%s", instances.size() + 1, kind.id()), kind);
        inst.devices.add(d.id());
        instances.add(inst);
        return inst;
    }

    // ---------------------------------------------------------------- planning: attacks

    private ReplayInstance attack(ReplayKind kind, String id, String... familyNames) {
        ReplayInstance inst = new ReplayInstance(id, kind);
        for (String f : familyNames) {
            inst.expectedRules.add(families.rule(f));
        }
        instances.add(inst);
        return inst;
    }

    /** A device for an attack: present from the start to the end, not mobile, not used by another attack. */
    private Dev victim(SplittableRandom r, java.util.function.Predicate<Dev> fits) {
        for (int tries = 0; tries < 10_000; tries++) {
            int i = r.nextInt(o.devices());
            Dev d = devs.get(i);
            if (!reserved.contains(i) && !d.mobile && d.leaveAt == Long.MAX_VALUE && fits.test(d)) {
                reserved.add(i);
                return d;
            }
        }
        return null;
    }

    private long when(SplittableRandom r, long duration) {
        long earliest = start + 10 * MIN;
        long latest = Math.max(earliest, end - duration - 10 * MIN);
        return earliest + (long) (r.nextDouble() * (latest - earliest));
    }

    private static long between(SplittableRandom r, long min, long max) {
        return min + (long) (r.nextDouble() * (max - min));
    }

    private void planAttack(ReplayKind k, SplittableRandom r, String id) {
        switch (k) {
            case BOTNET -> botnet(r, id);
            case BACKDOOR_SERVICE -> backdoor(r, id);
            case LOW_SLOW_EXFILTRATION -> exfiltration(r, id);
            case SLOW_SCAN -> slowScan(r, id);
            case CREDENTIAL_STUFFING -> credentialStuffing(r, id);
            case BRUTE_FORCE -> bruteForce(r, id);
            case REVOKED_CERTIFICATE -> revokedCertificate(r, id);
            case CLONED_CERTIFICATE -> clonedCertificate(r, id);
            case TOPIC_PROBING -> topicProbing(r, id);
            case MALFORMED_FLOOD -> malformedFlood(r, id);
            case PUBLISH_FLOOD -> publishFlood(r, id);
            case FLAPPING -> flapping(r, id);
            case REGIONAL_OUTAGE -> regionalOutage(r, id);
            case STALE_FIRMWARE, VULNERABLE_FIRMWARE -> firmwareJoin(k, r, id);
            case STEADY_EXFILTRATION -> steadyExfiltration(r, id);
            case FIRMWARE_DOWNGRADE -> downgrade(r, id);
            case IMAGE_TAMPER -> tamper(r, id);
            case UPDATE_FAILURE_LOOP -> updateFailureLoop(r, id);
            case CERTIFICATE_EXPIRY -> certificateExpiry(r, id);
            default -> throw new IllegalArgumentException(k + " is not an attack");
        }
    }

    private ReplayInstance skipped(ReplayKind k, String id, String why) {
        ReplayInstance inst = new ReplayInstance(id, k);
        inst.note = why;
        instances.add(inst);
        return inst;
    }

    private void botnet(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.BOTNET, id, "no free device");
            return;
        }
        boolean scans = r.nextDouble() < 0.6;
        boolean floods = r.nextDouble() < 0.5;
        // Telnet is both a risky port and a port the model never had
        List<String> fam = new ArrayList<>(List.of("net-listening-port", "net-unknown-port"));
        if (scans) {
            fam.add("net-new-destinations");
            fam.add("net-connection-spike");
        }
        if (floods) {
            fam.add("net-traffic-spike");
            fam.add("publish-rate-peers");
        }
        // CPU points the bot's processes add (more while it floods); resource abuse when that is more than the whole
        // band the device's model reports in when nothing is wrong
        double cpu = floods ? 40 : 25;
        if (cpu > TelemetryGenerator.cpuBandWidth(d.spec.model())) {
            fam.add("resource-abuse");
        }
        ReplayInstance inst = attack(ReplayKind.BOTNET, id, fam.toArray(String[]::new));
        inst.devices.add(d.id());
        int[] ports = r.nextBoolean() ? new int[] {23} : r.nextBoolean() ? new int[] {2323} : new int[] {23, 2323};
        int scan = scans ? 10 + r.nextInt(71) : 0;
        double boost = floods ? 8 + r.nextDouble() * 32 : 1;
        long duration = between(r, 10 * MIN, 4 * H);
        long t = when(r, duration);
        inst.note = String.format("ports %s, %d scan targets per report, traffic x%.1f, cpu +%.0f points, %d min",
                java.util.Arrays.toString(ports), scan, boost, cpu, duration / MIN);
        at(t, () -> {
            d.botnet = inst;
            d.botnetCpu = cpu;
            d.botnetPorts = ports;
            d.scanPerReport = scan;
            d.trafficBoost = boost;
        });
        at(t + duration, () -> {
            d.botnet = null;
            d.botnetPorts = new int[0];
            d.scanPerReport = 0;
            d.trafficBoost = 1;
        });
    }

    private void backdoor(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.BACKDOOR_SERVICE, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.BACKDOOR_SERVICE, id, "net-unknown-port");
        inst.devices.add(d.id());
        int port = BACKDOOR_PORTS[r.nextInt(BACKDOOR_PORTS.length)];
        long duration = between(r, 30 * MIN, D);
        long t = when(r, duration);
        inst.note = "port " + port + " for " + duration / MIN + " min";
        at(t, () -> {
            d.backdoor = inst;
            d.backdoorPort = port;
        });
        at(t + duration, () -> d.backdoor = null);
    }

    private void exfiltration(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.LOW_SLOW_EXFILTRATION, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.LOW_SLOW_EXFILTRATION, id, "net-traffic-spike");
        inst.devices.add(d.id());
        long duration = between(r, 6 * H, D);
        double max = 2 + r.nextDouble() * 2;
        long t = when(r, duration);
        inst.note = String.format("outbound traffic ramping to x%.1f over %d h", max, duration / H);
        at(t, () -> {
            d.exfil = inst;
            d.exfilFrom = now;
            d.exfilTo = now + duration;
            d.exfilMax = max;
        });
        at(t + duration, () -> d.exfil = null);
    }

    /**
     * A device that joins already compromised: from its first report its outbound traffic is x4-x10 its own level, steady
     * (no ramp an own baseline could be compared with), towards one new destination. Takes the LAST spare device, so the
     * firmware joiners keep theirs.
     */
    private void steadyExfiltration(SplittableRandom r, String id) {
        Dev d = null;
        for (int i = devs.size() - 1; i >= o.devices(); i--) {
            if (devs.get(i).joinAt == Long.MAX_VALUE) {
                d = devs.get(i);
                break;
            }
        }
        if (d == null) {
            skipped(ReplayKind.STEADY_EXFILTRATION, id, "no spare device");
            return;
        }
        // x4-x10 its own level from its first report: far above its model's peers, which is what CMP-RATE-002 describes too
        ReplayInstance inst = attack(ReplayKind.STEADY_EXFILTRATION, id, "net-traffic-spike", "publish-rate-peers");
        inst.devices.add(d.id());
        long duration = between(r, 6 * H, D);
        double rate = 4 + r.nextDouble() * 6;
        long t = when(r, duration);
        inst.note = String.format("joins sending x%.1f its outbound traffic for %d h", rate, duration / H);
        d.joinAt = t;
        Dev victim = d;
        at(t, () -> { // before its join (planned earlier at the same time): its first report already carries it
            victim.exfil = inst;
            victim.exfilFrom = now;
            victim.exfilTo = now; // no ramp: the full rate at once
            victim.exfilMax = rate;
        });
        at(t + duration, () -> victim.exfil = null);
    }

    private void slowScan(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.SLOW_SCAN, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.SLOW_SCAN, id, "net-new-destinations");
        inst.devices.add(d.id());
        long duration = between(r, 2 * H, 8 * H);
        int total = 100 + r.nextInt(501);
        long t = when(r, duration);
        inst.note = total + " new destinations over " + duration / MIN + " min";
        at(t, () -> {
            d.slowScan = inst;
            d.scanFrom = now;
            d.scanTo = now + duration;
            d.scanTotal = total;
            d.scanSent = 0;
        });
        at(t + duration, () -> d.slowScan = null);
    }

    private void credentialStuffing(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.CREDENTIAL_STUFFING, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.CREDENTIAL_STUFFING, id, "default-credentials");
        inst.devices.add(d.id());
        int addresses = 1 + r.nextInt(25);
        int attempts = Math.max(addresses, 3 + r.nextInt(58));
        long duration = between(r, 30 * S, 2 * H);
        long t = when(r, duration);
        List<String> from = new ArrayList<>();
        for (int a = 0; a < addresses; a++) {
            from.add("198.18." + r.nextInt(256) + "." + (1 + r.nextInt(254)));
        }
        inst.note = attempts + " attempts from " + addresses + " address(es) over " + duration / S + " s";
        for (int a = 0; a < attempts; a++) {
            long at = t + (attempts == 1 ? 0 : duration * a / (attempts - 1));
            String address = from.get(a % addresses);
            String user = DEFAULT_USERS[r.nextInt(DEFAULT_USERS.length)];
            at(at, () -> {
                BrokerContext ctx = context(d, address, brokerIds[d.broker]);
                emit(securityEvent(SecurityEventType.DEFAULT_CREDENTIAL_ATTEMPT, SecurityEventReasons.DEFAULT_CREDENTIALS,
                        "factory-default credentials offered; devices authenticate with certificates only",
                        null, null, d.id(), user, null, ctx, Map.of("mqttReasonCode", "BAD_USER_NAME_OR_PASSWORD")));
                inst.cohort("source-address", address);
                inst.touch(now);
            });
        }
    }

    private void bruteForce(SplittableRandom r, String id) {
        boolean oneIdentity = r.nextBoolean();
        ReplayInstance inst = oneIdentity ? attack(ReplayKind.BRUTE_FORCE, id, "auth-failures-address", "auth-failures-identity")
                : attack(ReplayKind.BRUTE_FORCE, id, "auth-failures-address");
        String address = "198.19." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        inst.cohort("source-address", address);
        String target = devs.get(r.nextInt(o.devices())).id();
        int attempts = 10 + r.nextInt(191);
        long duration = between(r, MIN, 30 * MIN);
        long t = when(r, duration);
        inst.note = attempts + " attempts over " + duration / S + " s, " + (oneIdentity ? "claiming " + target : "many claimed ids");
        for (int a = 0; a < attempts; a++) {
            String claimed = oneIdentity ? target : "dev-" + Integer.toHexString(r.nextInt(1 << 20));
            inst.cohort("claimed-identity", claimed);
            long at = t + duration * a / (attempts - 1);
            at(at, () -> {
                BrokerContext ctx = BrokerContext.newBuilder().setBrokerId(brokerIds[0]).setSourceAddress(address)
                        .setTlsProtocol(TLS).setTlsCipher(CIPHER).setMqttVersion("V_5").build();
                emit(securityEvent(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_UNTRUSTED,
                        "client certificate does not chain to a trusted fleet CA", null, null, claimed, null, null, ctx,
                        Map.of("mqttReasonCode", "NOT_AUTHORIZED")));
                inst.touch(now);
            });
        }
    }

    private void revokedCertificate(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.REVOKED_CERTIFICATE, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.REVOKED_CERTIFICATE, id, "revoked-certificate");
        inst.devices.add(d.id());
        String oldSerial = Long.toHexString(r.nextLong() & Long.MAX_VALUE);
        String address = "198.51.100." + (1 + r.nextInt(254));
        int attempts = 1 + r.nextInt(20);
        long duration = between(r, MIN, 2 * H);
        long t = when(r, duration);
        inst.note = attempts + " attempts with revoked serial " + oldSerial + " from " + address;
        for (int a = 0; a < attempts; a++) {
            long at = t + (attempts == 1 ? 0 : duration * a / (attempts - 1));
            at(at, () -> {
                BrokerContext ctx = BrokerContext.newBuilder().setBrokerId(brokerIds[d.broker]).setSourceAddress(address)
                        .setTlsProtocol(TLS).setTlsCipher(CIPHER).setCertificateSerial(oldSerial)
                        .setCertificateFingerprint(UUID.nameUUIDFromBytes(oldSerial.getBytes()).toString().replace("-", ""))
                        .setCertificateNotAfter(Instant.ofEpochMilli(d.notAfter)).setMqttVersion("V_5").build();
                emit(securityEvent(SecurityEventType.AUTHENTICATION_FAILURE, SecurityEventReasons.CERTIFICATE_REVOKED,
                        "client certificate serial " + oldSerial + " is revoked by its CA's CRL", o.tenant(), d.id(), d.id(),
                        null, null, ctx, Map.of("mqttReasonCode", "BANNED")));
                inst.touch(now);
            });
        }
    }

    private void clonedCertificate(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.CLONED_CERTIFICATE, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.CLONED_CERTIFICATE, id, "cloned-identity", "session-ping-pong");
        inst.devices.add(d.id());
        String cloneAddress = "203.0.113." + (1 + r.nextInt(254));
        int takeovers = 3 + r.nextInt(18);
        long gap = between(r, 20 * S, 5 * MIN);
        long t = when(r, takeovers * gap);
        inst.note = takeovers + " takeovers " + gap / S + " s apart from " + cloneAddress;
        for (int k = 0; k < takeovers; k++) {
            long at = t + k * gap;
            at(at, () -> {
                if (!d.connected) {
                    return;
                }
                // the clone connects: the broker ends the device's session, then accepts the clone's CONNECT
                emit(disconnect(d, SecurityEventReasons.SESSION_TAKEOVER, "SESSION_TAKEN_OVER"));
                BrokerContext clone = context(d, cloneAddress, brokerIds[(d.broker + 1) % brokerIds.length]);
                emit(securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "device authenticated by client certificate",
                        o.tenant(), d.id(), d.id(), null, null, clone, Map.of("certificateSerial", d.serial)));
                d.connected = false;
                inst.touch(now);
            });
            at(at + between(r, 2 * S, 10 * S), () -> {
                if (d.connected || d.down > 0 || d.left) {
                    return;
                }
                // the genuine device reconnects and takes its session back
                BrokerContext clone = context(d, cloneAddress, brokerIds[(d.broker + 1) % brokerIds.length]);
                emit(securityEvent(SecurityEventType.DISCONNECT, SecurityEventReasons.SESSION_TAKEOVER, null, o.tenant(), d.id(),
                        d.id(), null, null, clone, Map.of("mqttReasonCode", "SESSION_TAKEN_OVER")));
                connect(d);
                inst.touch(now);
            });
        }
    }

    private void topicProbing(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.TOPIC_PROBING, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.TOPIC_PROBING, id, "topic-probing");
        inst.devices.add(d.id());
        int attempts = 5 + r.nextInt(56);
        long duration = between(r, MIN, H);
        long t = when(r, duration);
        inst.note = attempts + " refused subscribes/publishes over " + duration / S + " s";
        String other = devs.get(r.nextInt(o.devices())).id();
        for (int a = 0; a < attempts; a++) {
            long at = t + duration * a / (attempts - 1);
            int form = r.nextInt(5);
            at(at, () -> {
                if (!d.connected) {
                    return;
                }
                String topic;
                String reason;
                boolean publish = false;
                switch (form) {
                    case 0 -> {
                        topic = "#";
                        reason = SecurityEventReasons.WILDCARD_NOT_PERMITTED;
                    }
                    case 1 -> {
                        topic = "$SYS/#";
                        reason = SecurityEventReasons.SYS_TOPIC_NOT_PERMITTED;
                    }
                    case 2 -> {
                        topic = "devices/+/telemetry";
                        reason = SecurityEventReasons.WILDCARD_NOT_PERMITTED;
                    }
                    case 3 -> {
                        topic = "devices/" + other + "/commands/#";
                        reason = SecurityEventReasons.TOPIC_NOT_PERMITTED;
                    }
                    default -> {
                        topic = "devices/" + other + "/telemetry";
                        reason = SecurityEventReasons.TOPIC_NOT_PERMITTED;
                        publish = true;
                    }
                }
                emit(securityEvent(SecurityEventType.AUTHORIZATION_FAILURE, reason, "not permitted for this device",
                        o.tenant(), d.id(), d.id(), null, topic, d.context, Map.of("activity", publish ? "PUBLISH" : "SUBSCRIBE")));
                inst.touch(now);
                if (publish) {
                    // a refused publish is answered with PUBACK NOT_AUTHORIZED and a disconnect; the device reconnects
                    goDown(d, SecurityEventReasons.DISCONNECTED_BY_BROKER, "NOT_AUTHORIZED");
                    at(now + (1 + d.random.nextInt(5)) * S, () -> goUp(d));
                }
            });
        }
    }

    private void malformedFlood(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.MALFORMED_FLOOD, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.MALFORMED_FLOOD, id, "malformed-payloads");
        inst.devices.add(d.id());
        double rate = 0.2 + r.nextDouble() * 9.8;
        long duration = between(r, 30 * S, 30 * MIN);
        long count = Math.max(2, Math.round(rate * duration / S));
        long t = when(r, duration);
        inst.note = String.format("%d bad payloads at %.1f/s", count, rate);
        for (long a = 0; a < count; a++) {
            long at = t + duration * a / (count - 1);
            int form = r.nextInt(3);
            at(at, () -> {
                if (!d.connected) {
                    return;
                }
                String reason = form == 0 ? SecurityEventReasons.PAYLOAD_MALFORMED
                        : form == 1 ? SecurityEventReasons.PAYLOAD_SCHEMA_VIOLATION : SecurityEventReasons.PAYLOAD_TOO_LARGE;
                emit(securityEvent(SecurityEventType.VALIDATION_FAILURE, reason, "payload refused", o.tenant(), d.id(), d.id(), null,
                        "devices/" + d.id() + "/telemetry", d.context, Map.of("mqttReasonCode",
                                form == 2 ? "IMPLEMENTATION_SPECIFIC_ERROR" : "PAYLOAD_FORMAT_INVALID",
                                "payloadBytes", form == 2 ? "131072" : Integer.toString(20 + d.random.nextInt(400)))));
                inst.touch(now);
            });
        }
    }

    private void publishFlood(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.PUBLISH_FLOOD, id, "no free device");
            return;
        }
        double rate = 2 + r.nextDouble() * 28;
        long duration = between(r, MIN, 20 * MIN);
        long count = Math.round(rate * duration / S);
        // the broker's token bucket (5/s, burst 20) decides how many are refused
        double tokens = RATE_LIMIT_BURST;
        long refused = 0;
        boolean[] accept = new boolean[(int) count];
        for (int a = 0; a < count; a++) {
            tokens = Math.min(RATE_LIMIT_BURST, tokens + (a == 0 ? 0 : RATE_LIMIT_PER_SECOND / rate));
            if (tokens >= 1) {
                tokens -= 1;
                accept[a] = true;
            } else {
                refused++;
            }
        }
        ReplayInstance inst = refused >= 10 ? attack(ReplayKind.PUBLISH_FLOOD, id, "publish-rate-own", "malformed-payloads")
                : attack(ReplayKind.PUBLISH_FLOOD, id, "publish-rate-own");
        inst.devices.add(d.id());
        long t = when(r, duration);
        inst.note = String.format("%d publishes at %.1f/s, %d refused by the rate limit", count, rate, refused);
        for (int a = 0; a < count; a++) {
            long at = t + (long) (a * 1000.0 / rate);
            boolean ok = accept[a];
            at(at, () -> {
                if (!d.connected) {
                    return;
                }
                if (ok) {
                    Telemetry tm = telemetry(d);
                    inst.touch(eventTime(tm));
                    emit(tm);
                } else {
                    emit(securityEvent(SecurityEventType.VALIDATION_FAILURE, SecurityEventReasons.RATE_LIMIT_EXCEEDED,
                            "more than 5 publishes per second", o.tenant(), d.id(), d.id(), null, "devices/" + d.id() + "/telemetry",
                            d.context, Map.of("mqttReasonCode", "QUOTA_EXCEEDED", "payloadBytes", "640")));
                    inst.touch(now);
                }
            });
        }
    }

    private void flapping(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.FLAPPING, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.FLAPPING, id, "flapping");
        inst.devices.add(d.id());
        int cycles = 5 + r.nextInt(26);
        long[] downs = new long[cycles];
        long[] ups = new long[cycles];
        long total = 0;
        for (int c = 0; c < cycles; c++) {
            downs[c] = between(r, 2 * S, 20 * S);
            ups[c] = between(r, 5 * S, 60 * S);
            total += downs[c] + ups[c];
        }
        long t = when(r, total);
        inst.note = cycles + " connection losses over " + total / S + " s";
        for (int c = 0; c < cycles; c++) {
            long down = t;
            at(down, () -> {
                goDown(d, SecurityEventReasons.CONNECTION_LOST, null);
                inst.touch(now);
            });
            at(down + downs[c], () -> {
                goUp(d);
                inst.touch(now);
            });
            t += downs[c] + ups[c];
        }
    }

    private void regionalOutage(SplittableRandom r, String id) {
        List<Region> regions = new ArrayList<>(Region.ALL);
        Region region = regions.get(r.nextInt(regions.size()));
        double fraction = 0.4 + r.nextDouble() * 0.5;
        List<Dev> hit = new ArrayList<>();
        for (int i = 0; i < o.devices(); i++) {
            Dev d = devs.get(i);
            if (d.spec.region().equals(region) && !reserved.contains(i) && r.nextDouble() < fraction) {
                hit.add(d);
            }
        }
        if (hit.size() < 10) {
            skipped(ReplayKind.REGIONAL_OUTAGE, id, "region " + region.name() + " has only " + hit.size() + " devices to take down");
            return;
        }
        boolean storm = r.nextBoolean();
        ReplayInstance inst = storm && hit.size() >= 50 ? attack(ReplayKind.REGIONAL_OUTAGE, id, "cohort-outage", "reconnect-storm")
                : attack(ReplayKind.REGIONAL_OUTAGE, id, "cohort-outage");
        inst.cohort("region", region.name());
        long duration = between(r, 4 * MIN, 45 * MIN);
        long spread = storm ? 3 * S : between(r, 3 * MIN, 10 * MIN);
        long t = when(r, duration + spread);
        inst.note = String.format("%d devices of %s (%.0f %%) down for %d min, return %s", hit.size(), region.name(), fraction * 100,
                duration / MIN, storm ? "all at once" : "spread over " + spread / S + " s");
        for (Dev d : hit) {
            inst.devices.add(d.id());
            reserved.add(d.spec.index());
            long down = t + r.nextInt(5000);
            long up = t + duration + (long) (r.nextDouble() * spread);
            at(down, () -> {
                goDown(d, SecurityEventReasons.CONNECTION_LOST, null);
                inst.touch(now);
            });
            at(up, () -> {
                goUp(d);
                inst.touch(now);
            });
        }
    }

    private void firmwareJoin(ReplayKind k, SplittableRandom r, String id) {
        Dev d = null;
        for (int i = o.devices(); i < devs.size(); i++) {
            Dev c = devs.get(i);
            if (c.joinAt == Long.MAX_VALUE) {
                d = c;
                break;
            }
        }
        if (d == null) {
            skipped(k, id, "no spare device");
            return;
        }
        DeviceModel m = d.spec.model();
        ReplayInstance inst = k == ReplayKind.STALE_FIRMWARE ? attack(k, id, "firmware-stale")
                : attack(k, id, "firmware-advisory", "firmware-stale");
        inst.devices.add(d.id());
        inst.persistent = true;
        String version = k == ReplayKind.STALE_FIRMWARE ? m.oldest().version() : m.releases().get(1).version();
        d.firmware = version;
        d.hash = FirmwareImages.genuineHash(m.name(), version);
        d.joinAt = when(r, 10 * MIN);
        d.firmwareMark = inst;
        inst.note = "joins running " + m.name() + " " + version;
    }

    private void downgrade(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.FIRMWARE_DOWNGRADE, id, "no free device");
            return;
        }
        DeviceModel m = d.spec.model();
        long t = when(r, 10 * MIN);
        int current = releaseIndex(m, d.firmware);
        String target = m.releases().get(Math.max(0, current - 1 - r.nextInt(Math.max(1, current)))).version();
        List<String> fam = new ArrayList<>(List.of("firmware-downgrade"));
        if (behindBeforeTheEnd(m, target)) { // from its first report after the reboot, or when the grace runs out
            fam.add("firmware-stale");
        }
        if (target.equals(m.releases().get(1).version())) {
            fam.add("firmware-advisory"); // the replay's advisory for the model covers exactly that release (Replay.advisories)
        }
        ReplayInstance inst = attack(ReplayKind.FIRMWARE_DOWNGRADE, id, fam.toArray(String[]::new));
        inst.devices.add(d.id());
        inst.persistent = true;
        inst.note = "reboots from " + d.firmware + " into " + target;
        rebootInto(d, t, target, FirmwareImages.genuineHash(m.name(), target), inst);
    }

    private void tamper(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.IMAGE_TAMPER, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.IMAGE_TAMPER, id, "image-hash-mismatch");
        inst.devices.add(d.id());
        inst.persistent = true;
        long t = when(r, 10 * MIN);
        inst.note = "reboots into a tampered " + d.firmware + " image";
        rebootInto(d, t, d.firmware, FirmwareImages.tamperedHash(d.spec.model().name(), d.firmware, r.nextLong()), inst);
    }

    private void rebootInto(Dev d, long t, String version, String hash, ReplayInstance inst) {
        at(t, () -> goDown(d, SecurityEventReasons.CLIENT_DISCONNECT, null));
        at(t + between(d.random, 30 * S, 90 * S), () -> {
            d.firmware = version;
            d.hash = hash;
            d.bootedAt = now - 5 * S;
            d.firmwareMark = inst;
            goUp(d);
        });
    }

    private void updateFailureLoop(SplittableRandom r, String id) {
        Dev d = victim(r, x -> !x.firmware.equals(x.spec.model().latest().version()));
        if (d == null) {
            d = victim(r, x -> true);
        }
        if (d == null) {
            skipped(ReplayKind.UPDATE_FAILURE_LOOP, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.UPDATE_FAILURE_LOOP, id, "update-failure-loop");
        inst.devices.add(d.id());
        int failures = 3 + r.nextInt(10);
        long gap = between(r, 2 * MIN, H);
        long t = when(r, failures * gap);
        String target = d.spec.model().latest().version().equals(d.firmware) ? rollouts.get(d.spec.model().name()).version()
                : d.spec.model().latest().version();
        inst.note = failures + " failed updates to " + target + ", " + gap / MIN + " min apart";
        Dev dev = d;
        for (int k = 1; k <= failures; k++) {
            int attempt = k;
            long at = t + (k - 1) * gap;
            at(at, () -> {
                dev.updateEffect = Effect.UPDATE_DOWNLOADING;
                dev.updateTarget = target;
                dev.updateAttempts = attempt;
            });
            at(at + Math.min(gap / 2, 90 * S), () -> {
                dev.updateEffect = Effect.UPDATE_FAILING;
                dev.firmwareMark = inst;
            });
        }
        at(t + failures * gap, () -> {
            dev.updateEffect = null;
            dev.updateTarget = null;
            dev.updateAttempts = 0;
        });
    }

    private void certificateExpiry(SplittableRandom r, String id) {
        Dev d = victim(r, x -> true);
        if (d == null) {
            skipped(ReplayKind.CERTIFICATE_EXPIRY, id, "no free device");
            return;
        }
        ReplayInstance inst = attack(ReplayKind.CERTIFICATE_EXPIRY, id, "certificate-expiry");
        inst.devices.add(d.id());
        inst.persistent = true;
        long t = when(r, 10 * MIN);
        long days = 1 + r.nextInt(25);
        inst.note = "reconnects with a certificate expiring " + days + " days later";
        at(t, () -> goDown(d, SecurityEventReasons.CLIENT_DISCONNECT, null));
        at(t + between(r, 5 * S, 60 * S), () -> {
            newCertificate(d, now + days * D);
            d.firmwareMark = inst;
            goUp(d);
        });
    }

    private static int releaseIndex(DeviceModel m, String version) {
        for (int i = 0; i < m.releases().size(); i++) {
            if (m.releases().get(i).version().equals(version)) {
                return i;
            }
        }
        return m.releases().size() - 1;
    }

    /** Whether {@code version} is behind a latest release that is older than the 30-day update grace period at {@code t}. */
    /**
     * Whether a device running {@code version} of {@code m} is behind the catalogue past the grace period before the
     * end of the replay, by the platform's one definition of "behind" (event-model
     * {@code FirmwareCurrency}: a release newer than it has been out for the grace period) against the catalogue the
     * job gets ({@link #catalogEntry}). A downgrade into a release superseded long ago is behind at once, even while
     * the model's newest release is still inside its grace period.
     */
    private boolean behindBeforeTheEnd(DeviceModel m, String version) {
        Long from = FirmwareCurrency.behindFrom(version, catalogEntry(m), DeviceModels.UPDATE_GRACE_DAYS * D);
        return from != null && from <= end;
    }

    /**
     * The catalogue entry the job gets for {@code m} ({@link Replay#catalog}): the model's releases dated relative to the
     * replay start, plus the release rolled out during the replay, which is the latest.
     */
    FirmwareCatalogEntry catalogEntry(DeviceModel m) {
        Rollout ro = rollouts.get(m.name());
        for (FirmwareCatalogEntry e : FirmwareCatalog.entries(Instant.ofEpochMilli(start))) {
            if (e.getModel().equals(m.name())) {
                List<FirmwareRelease> releases = new ArrayList<>(e.getReleases());
                releases.add(new FirmwareRelease(ro.version(), Instant.ofEpochMilli(ro.releasedAt()),
                        FirmwareImages.genuineHash(m.name(), ro.version())));
                e.setReleases(releases);
                e.setLatestVersion(ro.version());
                return e;
            }
        }
        throw new IllegalStateException("no catalogue entry for model " + m.name());
    }

    // ---------------------------------------------------------------- the simulation

    private void at(long t, Runnable action) {
        queue.add(new Ev(t, order++, null, action));
    }

    private void join(Dev d) {
        if (d.joined) {
            return;
        }
        d.joined = true;
        d.bootedAt = now - (long) (d.random.nextDouble() * 30 * D);
        if (d.down == 0) {
            connect(d);
        }
        for (ReplayInstance inst : instances) {
            if (inst.kind == ReplayKind.JOIN && inst.devices.contains(d.id())) {
                inst.touch(now);
            }
        }
        queue.add(new Ev(now + 500 + d.random.nextInt(2000), order++, d, null));
    }

    private boolean online(Dev d) {
        return d.joined && !d.left && d.down == 0 && d.connected;
    }

    private void goDown(Dev d, String reason, String mqttCode) {
        if (d.down++ == 0 && d.connected) {
            emit(disconnect(d, reason, mqttCode));
            d.connected = false;
        }
    }

    private void goUp(Dev d) {
        if (d.down > 0 && --d.down == 0 && d.joined && !d.left && !d.connected) {
            connect(d);
        }
    }

    private void connect(Dev d) {
        d.context = context(d, d.address, brokerIds[d.broker]);
        d.connected = true;
        emit(securityEvent(SecurityEventType.CONNECT, SecurityEventReasons.CONNECTED, "device authenticated by client certificate",
                o.tenant(), d.id(), d.id(), null, null, d.context, Map.of("certificateSerial", d.serial)));
    }

    private SecurityEvent disconnect(Dev d, String reason, String mqttCode) {
        return securityEvent(SecurityEventType.DISCONNECT, reason, null, o.tenant(), d.id(), d.id(), null, null, d.context,
                mqttCode == null ? Map.of() : Map.of("mqttReasonCode", mqttCode));
    }

    private BrokerContext context(Dev d, String address, String brokerId) {
        return BrokerContext.newBuilder()
                .setBrokerId(brokerId)
                .setSourceAddress(address)
                .setSourcePort(null)
                .setTlsProtocol(TLS)
                .setTlsCipher(CIPHER)
                .setCertificateFingerprint(d.fingerprint)
                .setCertificateSerial(d.serial)
                .setCertificateNotAfter(Instant.ofEpochMilli(d.notAfter))
                .setMqttVersion("V_5")
                .build();
    }

    private SecurityEvent securityEvent(SecurityEventType type, String reason, String detail, String tenant, String deviceId,
                                        String claimed, String username, String topic, BrokerContext ctx, Map<String, String> attributes) {
        return SecurityEvent.newBuilder()
                .setEventId(new UUID(o.seed() ^ now, securityCount).toString())
                .setType(type)
                .setTimestamp(Instant.ofEpochMilli(now))
                .setTenant(tenant)
                .setDeviceId(deviceId)
                .setClaimedClientId(claimed)
                .setReason(reason)
                .setDetail(detail)
                .setTopic(topic)
                .setUsername(username)
                .setBroker(ctx)
                .setAttributes(new HashMap<>(attributes))
                .build();
    }

    private void emit(SecurityEvent e) {
        securityCount++;
        sink.securityEvent(e);
    }

    /**
     * The platform's event time of a report, which the ground truth is stamped in: the device's clock bounded by
     * the broker's receive time ({@link EventTime#bounded}) with the detection job's default {@code --clock-skew}
     * of 0, i.e. {@code receivedAt}. Not {@code deviceTime}: a device whose clock runs ahead would otherwise
     * start its scenario after the alert its first record opened, and the scorecard could not attribute it.
     */
    static long eventTime(Telemetry t) {
        return EventTime.bounded(t.getDeviceTime().toEpochMilli(), t.getReceivedAt().toEpochMilli(), 0);
    }

    private void emit(Telemetry t) {
        telemetryCount++;
        sink.telemetry(t);
    }

    private void report(Dev d) {
        if (d.left || now >= d.leaveAt) {
            return;
        }
        if (online(d)) {
            Telemetry t = telemetry(d);
            long eventTime = eventTime(t);
            if (d.botnet != null) {
                d.botnet.touch(eventTime);
            }
            if (d.backdoor != null) {
                d.backdoor.touch(eventTime);
            }
            if (d.exfil != null) {
                d.exfil.touch(eventTime);
            }
            if (d.clockMark != null) {
                d.clockMark.touch(eventTime);
                d.clockMark = null; // a lasting condition: its first report starts it, the replay's end ends it
            }
            if (d.slowScan != null && d.scanSent > 0) {
                d.slowScan.touch(eventTime);
            }
            if (d.firmwareMark != null) {
                d.firmwareMark.touch(eventTime);
                if (!d.firmwareMark.persistent && d.updateEffect == null) {
                    d.firmwareMark = null;
                }
            }
            emit(t);
        }
        queue.add(new Ev(now + generator.intervalMillis(d.spec, d.seq), order++, d, null));
    }

    /** The report a device takes now, as the broker forwards it. */
    private Telemetry telemetry(Dev d) {
        long latency = 20 + d.random.nextInt(380);
        double offset = d.offsetMs + d.driftPerMs * (now - start);
        double bound = o.maxClockSkew().toMillis() - 1000.0;
        offset = Math.max(-bound, Math.min(bound, offset));
        long deviceTime = now + Math.round(offset) - latency;
        java.util.EnumSet<Effect> effects = java.util.EnumSet.noneOf(Effect.class);
        if (d.updateEffect != null) {
            effects.add(d.updateEffect);
        }
        DeviceCondition condition = new DeviceCondition(d.firmware, d.hash, Instant.ofEpochMilli(Math.min(d.bootedAt, deviceTime)),
                effects, d.updateTarget, d.updateAttempts);
        DeviceTelemetryPayload p = generator.payload(d.spec, condition, Instant.ofEpochMilli(deviceTime), d.seq++);
        Telemetry t = DevicePayloads.toTelemetry(o.tenant(), d.id(), p, d.context, Instant.ofEpochMilli(now), false);
        double weekly = weeklyFactor(d, deviceTime);
        double traffic = weekly * d.trafficBoost;
        if (d.exfil != null) {
            double progress = Math.min(1, Math.max(0, (now - d.exfilFrom) / (double) Math.max(1, d.exfilTo - d.exfilFrom)));
            traffic *= 1 + (d.exfilMax - 1) * progress;
        }
        if (traffic != 1) {
            t.setBytesOut(Math.round(t.getBytesOut() * traffic));
            t.setPacketsOut(t.getBytesOut() / 900 + 1);
        }
        if (d.botnet != null || d.backdoor != null || d.exfil != null || d.slowScan != null) {
            List<Integer> ports = new ArrayList<>(t.getListeningPorts());
            List<NetworkConnection> conns = new ArrayList<>(t.getConnections());
            if (d.botnet != null) {
                for (int port : d.botnetPorts) {
                    ports.add(port);
                }
                conns.add(new NetworkConnection(TelemetryGenerator.C2_ADDRESS, TelemetryGenerator.C2_PORT, "tcp"));
                for (int k = 0; k < d.scanPerReport; k++) {
                    conns.add(new NetworkConnection(scanTarget(d.random), 23, "tcp"));
                }
                t.setCpuPercent(Math.min(100, t.getCpuPercent() + d.botnetCpu));
            }
            if (d.backdoor != null) {
                ports.add(d.backdoorPort);
            }
            if (d.exfil != null) {
                conns.add(new NetworkConnection("192.0.2.77", 443, "tcp"));
            }
            if (d.slowScan != null) {
                double progress = Math.min(1, (now - d.scanFrom) / (double) Math.max(1, d.scanTo - d.scanFrom));
                int due = (int) Math.round(d.scanTotal * progress);
                for (; d.scanSent < due; d.scanSent++) {
                    conns.add(new NetworkConnection(scanTarget(d.random), 22, "tcp"));
                }
            }
            t.setListeningPorts(ports);
            t.setConnections(conns);
        }
        return t;
    }

    private static String scanTarget(SplittableRandom r) {
        return r.nextBoolean() ? "198.51.100." + (1 + r.nextInt(254))
                : "100." + (64 + r.nextInt(64)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
    }

    /** Weekends: cameras and plugs ~15 % busier, thermostats flat. Local day of the device's region. */
    private static double weeklyFactor(Dev d, long deviceTime) {
        if (d.spec.model().name().startsWith("thermo")) {
            return 1;
        }
        DayOfWeek day = Instant.ofEpochMilli(deviceTime + d.spec.region().utcOffsetHours() * H)
                .atOffset(ZoneOffset.UTC).getDayOfWeek();
        return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY ? 1.15 : 1;
    }

    /** Broker time of the simulation (the end once {@link #run()} returned). */
    long now() {
        return now;
    }

    long startMillis() {
        return start;
    }

    long endMillis() {
        return end;
    }
}
