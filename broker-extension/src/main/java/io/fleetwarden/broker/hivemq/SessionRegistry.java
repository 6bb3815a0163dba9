package io.fleetwarden.broker.hivemq;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live authenticated sessions by MQTT client id. Thread-safe.
 *
 * <p>State: a session is added when its CONNECT is authenticated and removed on its disconnect. On a
 * session takeover the newer connection replaces the entry first; the older connection's disconnect
 * then removes nothing, because removal is conditional on the per-connection token.
 */
public final class SessionRegistry {

    private final Map<String, DeviceSession> byClientId = new ConcurrentHashMap<>();

    public void put(DeviceSession session) {
        byClientId.put(session.clientId(), session);
    }

    public Optional<DeviceSession> get(String clientId) {
        return Optional.ofNullable(byClientId.get(clientId));
    }

    /** Removes the session only if it is still the one with {@code token}. @return the removed session */
    public Optional<DeviceSession> remove(String clientId, String token) {
        DeviceSession s = byClientId.get(clientId);
        if (s != null && s.token().equals(token) && byClientId.remove(clientId, s)) {
            return Optional.of(s);
        }
        return Optional.empty();
    }

    /** The session with this token, if it is still registered. */
    public Optional<DeviceSession> byToken(String clientId, String token) {
        DeviceSession s = byClientId.get(clientId);
        return s != null && s.token().equals(token) ? Optional.of(s) : Optional.empty();
    }

    public Collection<DeviceSession> all() {
        return byClientId.values();
    }
}
