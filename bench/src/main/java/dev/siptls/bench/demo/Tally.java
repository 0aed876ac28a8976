package dev.siptls.bench.demo;

import dev.siptls.bench.demo.Ledger.Layer;
import dev.siptls.bench.demo.Ledger.Side;

/**
 * The counts of a {@link Ledger} at one moment, or between two moments ({@link #minus}). An
 * authentication is one party proving its identity to another: it signs with its private key in a
 * handshake, and the other party verifies its certificate chain and that signature; every handshake
 * the demo makes is mutual, so {@link #authentications()} counts the handshake signatures.
 */
record Tally(long[] signatures, long[] chains, long policyChains) {

    Tally {
        signatures = signatures.clone();
        chains = chains.clone();
    }

    Tally minus(Tally earlier) {
        long[] s = new long[signatures.length];
        long[] c = new long[chains.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = signatures[i] - earlier.signatures[i];
            c[i] = chains[i] - earlier.chains[i];
        }
        return new Tally(s, c, policyChains - earlier.policyChains);
    }

    long signatures(Layer layer, Side side) {
        return signatures[Ledger.index(layer, side)];
    }

    long signatures(Layer layer) {
        return signatures(layer, Side.SERVER) + signatures(layer, Side.CLIENT);
    }

    long chainVerifications(Layer layer, Side side) {
        return chains[Ledger.index(layer, side)];
    }

    long chainVerifications(Layer layer) {
        return chainVerifications(layer, Side.SERVER) + chainVerifications(layer, Side.CLIENT);
    }

    /** Handshake signatures on both layers: the authentications performed. */
    long authentications() {
        return signatures(Layer.TLS) + signatures(Layer.SIP);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tally t && java.util.Arrays.equals(signatures, t.signatures)
                && java.util.Arrays.equals(chains, t.chains) && policyChains == t.policyChains;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(signatures) * 31 + java.util.Arrays.hashCode(chains) + (int) policyChains;
    }

    @Override
    public String toString() {
        return "Tally[signatures TLS " + signatures(Layer.TLS) + " SIP " + signatures(Layer.SIP)
                + ", chains TLS " + chainVerifications(Layer.TLS) + " SIP " + chainVerifications(Layer.SIP)
                + ", policy chains " + policyChains + "]";
    }
}
