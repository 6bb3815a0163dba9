package io.fleetwarden.dashboard.disclosure;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sliding one-minute window per key (client address). State: at most {@code maxKeys} keys are
 * remembered (oldest evicted), so a flood of addresses cannot exhaust memory. Thread-safe.
 */
public final class RateLimiter {

    private final int perMinute;
    private final Clock clock;
    private final int maxKeys = 10_000;
    private final Map<String, Deque<Long>> hits = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > maxKeys;
        }
    };

    public RateLimiter(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Records a hit and says whether it is within the limit. */
    public synchronized boolean tryAcquire(String key) {
        long now = clock.millis();
        Deque<Long> q = hits.computeIfAbsent(key, k -> new ArrayDeque<>());
        while (!q.isEmpty() && q.peekFirst() <= now - 60_000) {
            q.pollFirst();
        }
        if (q.size() >= perMinute) {
            return false;
        }
        q.addLast(now);
        return true;
    }
}
