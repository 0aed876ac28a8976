package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The suites every server connection of a provider has accepted so far: the intersection of their enabled suites,
 * among those an SA can have. An SA is looked up by session id alone, so the key server must pick a suite that
 * whichever of the provider's server connections the client reaches will resume; a server policy lists only these.
 *
 * <p>{@link #accept} runs in each server handshake, so it answers from an immutable snapshot without a lock unless
 * the connection takes a suite away, which happens a few times per application at most.
 */
final class ServerSuites {

    /** Null until the first server connection: nothing is known, every suite counts. */
    private volatile Set<String> accepted;

    /** A server connection with these enabled suites starts its handshake; true if that narrowed the set. */
    boolean accept(String[] enabledSuites) {
        Set<String> current = accepted;
        if (current != null && containsAll(enabledSuites, current)) {
            return false;
        }
        synchronized (this) {
            current = accepted;
            Set<String> narrowed = new LinkedHashSet<>();
            for (String suite : enabledSuites) {
                if (CipherSuites.isKnown(suite) && (current == null || current.contains(suite))) {
                    narrowed.add(suite);
                }
            }
            if (current != null && narrowed.size() == current.size()) {
                return false;
            }
            accepted = Set.copyOf(narrowed);
            return true;
        }
    }

    /** {@code suites} in their order, less those a server connection seen so far does not enable. */
    List<String> filter(List<String> suites) {
        Set<String> current = accepted;
        if (current == null) {
            return suites;
        }
        List<String> kept = new ArrayList<>(suites.size());
        for (String suite : suites) {
            if (current.contains(suite)) {
                kept.add(suite);
            }
        }
        return kept;
    }

    /** What the connections seen so far all enable, for a message; empty before the first one. */
    String describe() {
        Set<String> current = accepted;
        return current == null ? "(no server connection yet)" : current.isEmpty() ? "(none SIP-TLS can distribute)"
                : String.join(", ", current.stream().sorted().toList());
    }

    private static boolean containsAll(String[] enabled, Set<String> suites) {
        for (String suite : suites) {
            if (!contains(enabled, suite)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(String[] array, String value) {
        for (String s : array) {
            if (s.equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ServerSuites[" + describe() + "]";
    }
}
