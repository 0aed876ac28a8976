package dev.siptls.server;

import dev.siptls.sip.Flow;
import java.security.MessageDigest;

/**
 * One registered AOR: the connection it is reached over, the fingerprint of the certificate that proved it,
 * until when, and its accepted policy if any. Immutable and a few hundred bytes: no thread, no dialog, no
 * parsed certificate per registration. The {@link Registry} replaces it on every change.
 */
final class Registration {

    private final String aor;
    private final Flow flow;
    private final byte[] certificateFingerprint;
    private final long expiresAtMillis;
    private final StoredPolicy policy;
    private final byte[] challenge;
    private final long serial;

    Registration(String aor, Flow flow, byte[] certificateFingerprint, long expiresAtMillis,
            StoredPolicy policy, byte[] challenge, long serial) {
        this.aor = aor;
        this.flow = flow;
        this.certificateFingerprint = certificateFingerprint;
        this.expiresAtMillis = expiresAtMillis;
        this.policy = policy;
        this.challenge = challenge;
        this.serial = serial;
    }

    /** Canonical, see {@link Aors#canonical}. */
    String aor() { return aor; }
    /** The very connection the agent registered on: the only one it is reached over. */
    Flow flow() { return flow; }
    long expiresAtMillis() { return expiresAtMillis; }
    /** This node's number for the flow, the same for every refresh on it: what a {@link FlowTokens} token names. */
    long serial() { return serial; }
    /** SHA-256 of the certificate that proved the AOR. */
    byte[] fingerprint() { return certificateFingerprint.clone(); }
    /** May be null. */
    StoredPolicy policy() { return policy; }

    /**
     * The nonce an agent signs to prove it holds the key of a certificate chain it publishes (docs/PROTOCOL.md,
     * "Proof of possession"); fresh for each registration made on a connection, kept by refreshes on it.
     */
    byte[] challenge() { return challenge.clone(); }

    /** Expired, or its connection is gone: a registration dies with its connection. */
    boolean isExpired(long nowMillis) {
        return nowMillis >= expiresAtMillis || !flow.isOpen();
    }

    /** Its connection is open and still authenticated by the certificate that registered: safe to send over. */
    boolean reachable() {
        return flow.isOpen() && flow.authenticatedAs(certificateFingerprint);
    }

    boolean sameCertificate(byte[] fingerprint) {
        return MessageDigest.isEqual(certificateFingerprint, fingerprint);
    }

    Registration withPolicy(StoredPolicy newPolicy) {
        return new Registration(aor, flow, certificateFingerprint, expiresAtMillis, newPolicy, challenge, serial);
    }

    @Override
    public String toString() {
        return "Registration[" + aor + " on " + flow + ", policy=" + (policy != null) + "]";
    }
}
