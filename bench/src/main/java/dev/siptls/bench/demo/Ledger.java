package dev.siptls.bench.demo;

import java.util.concurrent.atomic.LongAdder;

/**
 * Where the demo's authentication counts are kept: every certificate-chain verification a trust manager
 * performs and every private key a key manager hands to a handshake (each one a signature: all suites and
 * protocols the demo allows sign with the key, none decrypts with it), by layer and side.
 *
 * <p>The counters only grow; the demo runs one way at a time and takes the difference of two
 * {@link #snapshot() snapshots}.
 */
final class Ledger {

    /** The application's TLS connections, or the SIP connections of agents and key server. */
    enum Layer { TLS, SIP }

    /** Which end of the handshake: a server's chain or key, or a client's. */
    enum Side { SERVER, CLIENT }

    private static final ThreadLocal<int[]> INSIDE_TRUST_MANAGER = ThreadLocal.withInitial(() -> new int[1]);

    private final LongAdder[] signatures = adders();
    private final LongAdder[] chains = adders();
    private final LongAdder policyChains = new LongAdder();

    private static LongAdder[] adders() {
        LongAdder[] out = new LongAdder[Layer.values().length * Side.values().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = new LongAdder();
        }
        return out;
    }

    static int index(Layer layer, Side side) {
        return layer.ordinal() * Side.values().length + side.ordinal();
    }

    /** A key manager handed out the private key of {@code side} for a handshake. */
    void signed(Layer layer, Side side) {
        signatures[index(layer, side)].increment();
    }

    /** A trust manager was asked to verify the chain of {@code side}. */
    void chainVerified(Layer layer, Side side) {
        chains[index(layer, side)].increment();
    }

    /** A PKIX validation outside any trust manager: the key server checking a policy's TLS chain. */
    void policyChainVerified() {
        policyChains.increment();
    }

    /** Runs a trust manager's check, during which PKIX validations are part of that check. */
    static void insideTrustManager(CertificateCheck check) throws java.security.cert.CertificateException {
        int[] depth = INSIDE_TRUST_MANAGER.get();
        depth[0]++;
        try {
            check.run();
        } finally {
            depth[0]--;
        }
    }

    static boolean isInsideTrustManager() {
        return INSIDE_TRUST_MANAGER.get()[0] > 0;
    }

    Tally snapshot() {
        long[] s = new long[signatures.length];
        long[] c = new long[chains.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = signatures[i].sum();
            c[i] = chains[i].sum();
        }
        return new Tally(s, c, policyChains.sum());
    }

    @FunctionalInterface
    interface CertificateCheck {
        void run() throws java.security.cert.CertificateException;
    }
}
