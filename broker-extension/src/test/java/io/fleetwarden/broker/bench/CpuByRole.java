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
            }
        }
        return s;
    }

    static Role role(String name) {
        if (name.startsWith("com.hivemq.client") || name.equals("main") || name.startsWith("pool-")) {
            return Role.CLIENTS;
        }
        if (name.contains("hivemq") || name.startsWith("extension-") || name.startsWith("fleetwarden")
                || name.contains("fleetwarden-broker-forwarder") || name.contains("fleetwarden-controls")) {
            return Role.BROKER;
        }
        return Role.KAFKA;
    }

    /** CPU nanoseconds per thread group (digits in names folded) of one role, for diagnosis. */
    Map<String, Long> byThreadGroup(CpuByRole before, Role role) {
        Map<String, Long> out = new java.util.TreeMap<>();
        cpuByThread.forEach((id, cpu) -> {
            if (roleByThread.get(id) == role) {
                out.merge(nameByThread.get(id), cpu - before.cpuByThread.getOrDefault(id, 0L), Long::sum);
            }
        });
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
