package io.fleetwarden.broker.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of the benchmark JVM's threads, grouped by the part of the system they belong to, so that a
 * benchmark can say where the CPU per publish went: the MQTT broker with its extension (HiveMQ threads,
 * extension executors, Fleetwarden's own threads including its Kafka producer), the Kafka broker that
 * stands in for a separate cluster, and the load-generating MQTT clients. Threads that start and end
 * between two snapshots are not seen; the publish phases keep all threads alive, so this does not matter
 * there.
 */
final class CpuByRole {

    enum Role { BROKER, KAFKA, CLIENTS }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> cpuByThread = new HashMap<>();
    private final Map<Long, Role> roleByThread = new HashMap<>();
    private final Map<Long, String> nameByThread = new HashMap<>();
    private final Map<Long, Long> allocatedByThread = new HashMap<>();
    /** Context switches (voluntary + involuntary) per native thread name, digits folded; see {@link #switches()}. */
    private final Map<String, Long> switchesByComm = new HashMap<>();

    static CpuByRole snapshot() {
        CpuByRole s = new CpuByRole();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId());
            if (cpu >= 0) {
                s.cpuByThread.put(t.getThreadId(), cpu);
                s.roleByThread.put(t.getThreadId(), role(t.getThreadName()));
                s.nameByThread.put(t.getThreadId(), t.getThreadName().replaceAll("[0-9]+", "N"));
                if (THREADS instanceof com.sun.management.ThreadMXBean sun) {
                    s.allocatedByThread.put(t.getThreadId(), sun.getThreadAllocatedBytes(t.getThreadId()));
                }
            }
        }
        s.switchesByComm.putAll(switches());
        return s;
    }

    static Role role(String name) {
        if (name.startsWith("com.hivemq.client") || name.equals("main") || name.startsWith("pool-")) {
            return Role.CLIENTS;
        }
        // Kafka clients name their threads after their client id ("kafka-admin-client-thread | fleetwarden-broker-health-…"):
        // the extension's producer, its controls reader and its health probe are part of the broker
        if (name.contains("hivemq") || name.startsWith("extension-") || name.startsWith("fleetwarden")
                || name.contains("| fleetwarden")) {
            return Role.BROKER;
        }
        return Role.KAFKA;
    }

    /** CPU nanoseconds per thread group (digits in names folded) of one role, for diagnosis. */
    Map<String, Long> byThreadGroup(CpuByRole before, Role role) {
        return sinceByThreadGroup(cpuByThread, before.cpuByThread, role);
    }

    /** Bytes allocated per thread group (digits in names folded) of one role since {@code before}. */
    Map<String, Long> allocatedByThreadGroup(CpuByRole before, Role role) {
        return sinceByThreadGroup(allocatedByThread, before.allocatedByThread, role);
    }

    /** {@code now} minus {@code before} per thread, summed per thread group (digits in names folded) of one role. */
    private Map<String, Long> sinceByThreadGroup(Map<Long, Long> now, Map<Long, Long> before, Role role) {
        Map<String, Long> out = new java.util.TreeMap<>();
        now.forEach((id, value) -> {
            if (roleByThread.get(id) == role) {
                out.merge(nameByThread.get(id), value - before.getOrDefault(id, 0L), Long::sum);
            }
        });
        return out;
    }

    /**
     * Context switches since {@code before} per native thread name (Linux truncates it to 15 characters, digits folded
     * here), for the thread groups that do the broker's per-publish work. A thread that runs out of work parks and is
     * woken again by the next hand-off (a futex or eventfd write on the waker's side, a return from the wait on its
     * own): how often that happens per publish is a cost that depends on timing, not on the code each thread runs.
     */
    Map<String, Long> switchesSince(CpuByRole before) {
        Map<String, Long> out = new java.util.TreeMap<>();
        switchesByComm.forEach((comm, n) -> {
            if (comm.startsWith("hivemq-eventloo") || comm.startsWith("extension-task-")
                    || comm.startsWith("fleetwarden") || comm.startsWith("kafka-producer-")) {
                out.put(comm, n - before.switchesByComm.getOrDefault(comm, 0L));
            }
        });
        return out;
    }

    /** Voluntary + involuntary context switches of this process's threads, by native name (Linux; empty elsewhere). */
    static Map<String, Long> switches() {
        Map<String, Long> out = new HashMap<>();
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return out;
        }
        try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.list(tasks)) {
            all.forEach(task -> {
                try {
                    String comm = java.nio.file.Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "N");
                    long n = 0;
                    for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches") || line.startsWith("nonvoluntary_ctxt_switches")) {
                            n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    out.merge(comm, n, Long::sum);
                } catch (java.io.IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            });
        } catch (java.io.IOException e) {
            return out;
        }
        return out;
    }

    /** CPU nanoseconds per role spent between {@code before} and this snapshot. */
    Map<Role, Long> since(CpuByRole before) {
        Map<Role, Long> out = new EnumMap<>(Role.class);
        for (Role r : Role.values()) {
            out.put(r, 0L);
        }
        cpuByThread.forEach((id, cpu) -> {
            long delta = cpu - before.cpuByThread.getOrDefault(id, 0L);
            out.merge(roleByThread.get(id), delta, Long::sum);
        });
        return out;
    }
}
