package io.fleetwarden.broker.hivemq;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live authenticated connections, by per-connection token, and the current connection of each MQTT
 * client id. Thread-safe.
 *
 * <p>State: a connection is added when its CONNECT is authenticated and removed on its disconnect. On a
 * session takeover the newer connection becomes the current one for the client id at once; the older
 * connection stays known by its token until its own disconnect arrives, so that disconnect is still
 * recorded (as a session takeover) and does not remove the newer connection.
 */
public final class SessionRegistry {

    private final Map<String, DeviceSession> byToken = new ConcurrentHashMap<>();
    /** The current connection of each client id (one lookup per publish). */
    private final Map<String, DeviceSession> current = new ConcurrentHashMap<>();

    public void put(DeviceSession session) {
        byToken.put(session.token(), session);
        current.put(session.clientId(), session);
    }

    /** The current connection of a client id. */
    public Optional<DeviceSession> get(String clientId) {
        return Optional.ofNullable(current.get(clientId));
    }

    /** Removes the connection with {@code token}; the client id's current connection changes only if it was this one. */
    public Optional<DeviceSession> remove(String clientId, String token) {
        DeviceSession s = byToken.get(token);
        if (s == null || !s.clientId().equals(clientId) || !byToken.remove(token, s)) {
            return Optional.empty();
        }
        current.remove(clientId, s); // only if it is still the current one (not after a takeover)
        return Optional.of(s);
    }

    /** The connection with this token, if it is still registered. */
    public Optional<DeviceSession> byToken(String clientId, String token) {
        return Optional.ofNullable(byToken.get(token)).filter(s -> s.clientId().equals(clientId));
    }

    /** Every live connection, including ones being taken over. */
    public Collection<DeviceSession> all() {
        return byToken.values();
    }
}
