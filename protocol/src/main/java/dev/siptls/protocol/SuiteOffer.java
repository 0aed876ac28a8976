package dev.siptls.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The cipher suites a TLS client connection offers, as an agent's SA request carries them (docs/PROTOCOL.md,
 * "The suite"): the key server then picks an SA suite the connection can resume with. Without it the key server
 * can only go by the client's policy, and an SA whose suite the connection does not enable is never resumed.
 *
 * <p>Immutable, with value equality. {@link #of} refuses an empty list, more than {@value #MAX_SUITES} suites, a
 * repeated one and one SIP-TLS cannot distribute ({@link CipherSuites#isKnown}); {@link #distributable} is the
 * lenient way in, for a connection's enabled list, which also holds TLS 1.3 suites and signalling values.
 */
public final class SuiteOffer {

    /** More than every suite SIP-TLS knows: a longer list is not a connection's, it is an attack on the parser. */
    public static final int MAX_SUITES = 64;

    private final List<String> suites;

    private SuiteOffer(List<String> suites) {
        if (suites.isEmpty()) {
            throw new IllegalArgumentException("an offer needs at least one cipher suite");
        }
        if (suites.size() > MAX_SUITES) {
            throw new IllegalArgumentException("an offer of " + suites.size() + " cipher suites exceeds "
                    + MAX_SUITES);
        }
        Set<String> seen = new HashSet<>();
        for (String suite : suites) {
            if (!seen.add(Checks.cipherSuite(suite))) {
                throw new IllegalArgumentException("duplicate cipher suite: " + suite);
            }
        }
        this.suites = List.copyOf(suites);
    }

    /** Exactly these suites, in the connection's order of preference; see the class comment for what is refused. */
    public static SuiteOffer of(List<String> suites) {
        return new SuiteOffer(Objects.requireNonNull(suites, "cipher suites"));
    }

    /**
     * The suites of a connection's enabled list that an SA can have, in its order, once each; empty if none
     * (the connection can resume no SA).
     */
    public static Optional<SuiteOffer> distributable(Collection<String> enabled) {
        List<String> known = new ArrayList<>();
        for (String suite : Objects.requireNonNull(enabled, "enabled suites")) {
            if (CipherSuites.isKnown(suite) && !known.contains(suite)) {
                known.add(suite);
            }
        }
        return known.isEmpty() ? Optional.empty() : Optional.of(new SuiteOffer(known));
    }

    /** IANA names, the connection's most preferred first. */
    public List<String> cipherSuites() {
        return suites;
    }

    public boolean offers(String suite) {
        return suites.contains(suite);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SuiteOffer other && suites.equals(other.suites);
    }

    @Override
    public int hashCode() {
        return suites.hashCode();
    }

    @Override
    public String toString() {
        return "SuiteOffer" + suites;
    }
}
