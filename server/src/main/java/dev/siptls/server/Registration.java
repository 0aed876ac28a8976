package dev.siptls.server;

import java.net.InetSocketAddress;
import java.security.MessageDigest;

/**
 * One registered AOR: the flow it is reached over, the fingerprint of the certificate that proved it,
 * until when, and its accepted policy if any. Immutable and a few hundred bytes: no thread, no dialog, no
 * parsed certificate per registration. The {@link Registry} replaces it on every change.
 */
final class Registration {

    private final String aor;
    private final InetSocketAddress flow;
    private final byte[] certificateFingerprint;
    private final long expiresAtMillis;
    private final StoredPolicy policy;
    private final byte[] challenge;

    Registration(String aor, InetSocketAddress flow, byte[] certificateFingerprint, long expiresAtMillis,
            StoredPolicy policy, byte[] challenge) {
        this.aor = aor;
        this.flow = flow;
        this.certificateFingerprint = certificateFingerprint;
        this.expiresAtMillis = expiresAtMillis;
        this.policy = policy;
        this.challenge = challenge;
    }

    /** Canonical, see {@link Aors#canonical}. */
    String aor() { return aor; }
    /** The agent's connection as the key server sees it: its remote ip:port. */
    InetSocketAddress flow() { return flow; }
    long expiresAtMillis() { return expiresAtMillis; }
    /** May be null. */
    StoredPolicy policy() { return policy; }

    /**
     * The nonce an agent signs to prove it holds the key of a certificate chain it publishes (docs/PROTOCOL.md,
     * "Proof of possession"); fresh for each registration made on a connection, kept by refreshes on it.
     */
    byte[] challenge() { return challenge.clone(); }

    boolean isExpired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }

    boolean sameCertificate(byte[] fingerprint) {
        return MessageDigest.isEqual(certificateFingerprint, fingerprint);
    }

    Registration withPolicy(StoredPolicy newPolicy) {
        return new Registration(aor, flow, certificateFingerprint, expiresAtMillis, newPolicy, challenge);
    }

    @Override
    public String toString() {
        return "Registration[" + aor + " on " + flow + ", policy=" + (policy != null) + "]";
    }
}
