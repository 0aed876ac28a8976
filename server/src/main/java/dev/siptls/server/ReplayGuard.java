package dev.siptls.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the last INVITEs (sender, Call-ID, CSeq) so that one replayed later, as a new transaction,
 * gets no second SA. JAIN-SIP itself absorbs only retransmissions of a live transaction (the key server keeps
 * no dialogs, and drops finished transactions at once); this covers everything else. Bounded: the oldest
 * entries go first.
 */
final class ReplayGuard {

    private final Map<String, Boolean> recent;

    ReplayGuard(int capacity) {
        this.recent = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether this is the first time {@code key} is seen (and remembers it). */
    synchronized boolean firstTime(String key) {
        return recent.putIfAbsent(key, Boolean.TRUE) == null;
    }
}
