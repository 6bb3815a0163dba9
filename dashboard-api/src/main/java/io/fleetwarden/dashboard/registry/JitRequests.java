package io.fleetwarden.dashboard.registry;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fleetwarden.model.SecurityEvent;
import io.fleetwarden.model.SecurityEventReasons;
import io.fleetwarden.model.SecurityEventType;

/**
 * Takes the brokers' just-in-time registration requests (security events carrying
 * {@link SecurityEventReasons#ATTR_JIT}) to {@link RegistryService#onJitRequest}, off the materialiser's thread (a
 * registration is a synchronous Kafka write) and only once the topics are replayed: a request judged against a
 * half-replayed registry could register a device whose later suspension or decommission has not been read yet.
 * Requests wait in a bounded queue ({@link #MAX_WAITING}; beyond it the oldest are dropped and counted, the device
 * asks again at its next connect) until {@link #drain()} (a timer) handles them. Thread-safe.
 */
public final class JitRequests {

    private static final Logger LOG = LoggerFactory.getLogger(JitRequests.class);
    /** Requests held while the topics replay. */
    public static final int MAX_WAITING = 10_000;

    private final RegistryService registry;
    private final BooleanSupplier live;
    private final Deque<SecurityEvent> waiting = new ArrayDeque<>();
    private long dropped;

    public JitRequests(RegistryService registry, BooleanSupplier live) {
        this.registry = registry;
        this.live = live;
    }

    /** Whether a security event is a JIT registration request (a CONNECT or refusal of a verified device). */
    public static boolean isRequest(SecurityEvent e) {
        return e.getAttributes() != null
                && SecurityEventReasons.JIT_REQUESTED.equals(e.getAttributes().get(SecurityEventReasons.ATTR_JIT))
                && (e.getType() == SecurityEventType.CONNECT || e.getType() == SecurityEventType.AUTHENTICATION_FAILURE)
                && e.getDeviceId() != null;
    }

    /** Takes one security event: a request is queued for {@link #drain()}; anything else is ignored. */
    public synchronized void offer(SecurityEvent e) {
        if (!isRequest(e)) {
            return;
        }
        if (waiting.size() >= MAX_WAITING) {
            waiting.pollFirst();
            dropped++;
        }
        waiting.addLast(e);
    }

    /** Handles the queued requests once the topics are replayed (called by a timer). */
    public void drain() {
        if (!live.getAsBoolean()) {
            return;
        }
        while (true) {
            SecurityEvent e;
            synchronized (this) {
                e = waiting.pollFirst();
            }
            if (e == null) {
                return;
            }
            try {
                registry.onJitRequest(e);
            } catch (RuntimeException ex) {
                // Kafka away (the write failed): the device asks again when it reconnects
                LOG.warn("just-in-time registration of {}/{} not written: {}", e.getTenant(), e.getDeviceId(),
                        ex.getMessage());
            }
        }
    }

    /** Requests dropped because too many waited during a replay. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Requests waiting. */
    public synchronized int waiting() {
        return waiting.size();
    }
}
