package dev.siptls.agent;

import dev.siptls.protocol.PossessionProof;
import dev.siptls.protocol.SecurityPolicy;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The policy an agent publishes and, when its certificate chain is not the agent's own SIP identity, the
 * private key of that chain: the key server accepts such a chain only with the key's signature over the nonce
 * of the current registration (docs/PROTOCOL.md, "Proof of possession"), so the agent signs it anew for every
 * nonce. Immutable; never shows the key.
 */
final class ProvablePolicy {

    private final SecurityPolicy policy;
    private final PrivateKey chainKey;

    private ProvablePolicy(SecurityPolicy policy, PrivateKey chainKey) {
        this.policy = policy;
        this.chainKey = chainKey;
    }

    /**
     * @param chainKey the private key of the policy's leaf certificate; may be null when the policy has no chain
     *                 or its leaf is {@code ownCertificate}, which the agent's mutual-TLS connection proves
     * @throws IllegalArgumentException if the chain needs a proof and the key is missing or not the leaf's
     */
    static ProvablePolicy of(SecurityPolicy policy, PrivateKey chainKey, X509Certificate ownCertificate) {
        Objects.requireNonNull(policy, "policy");
        if (policy.certificateChain().isEmpty() || policy.certificateChain().get(0).equals(ownCertificate)) {
            return new ProvablePolicy(policy, null);
        }
        X509Certificate leaf = policy.certificateChain().get(0);
        String subject = leaf.getSubjectX500Principal().getName();
        if (chainKey == null) {
            throw new IllegalArgumentException("the policy's certificate (" + subject + ") is not the agent's identity:"
                    + " give its private key (chainKey), or the key server refuses the policy (403)");
        }
        if (!signs(chainKey, leaf)) {
            throw new IllegalArgumentException("the chain key is not the private key of the policy's certificate ("
                    + subject + ")");
        }
        return new ProvablePolicy(policy, chainKey);
    }

    /** A trial signature checked against the leaf: a wrong or unusable key fails here, not at the key server. */
    private static boolean signs(PrivateKey key, X509Certificate leaf) {
        byte[] trial = PossessionProof.signedBytes("sip:trial", new byte[PossessionProof.CHALLENGE_BYTES], List.of(leaf));
        try {
            return PossessionProof.verify(leaf.getPublicKey(), trial, PossessionProof.sign(key, trial));
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    SecurityPolicy policy() {
        return policy;
    }

    /** Null when the chain needs no proof. */
    PrivateKey chainKey() {
        return chainKey;
    }

    /**
     * The policy to send in a registration whose nonce is {@code nonce} (null if the key server sent none):
     * signed if its chain needs a proof.
     *
     * @param aor the agent's AOR as the key server keys it ({@link Aor#canonical()})
     */
    SecurityPolicy forNonce(String aor, byte[] nonce) throws GeneralSecurityException {
        if (chainKey == null || nonce == null) {
            return policy;
        }
        return policy.withPossession(PossessionProof.sign(chainKey,
                PossessionProof.signedBytes(aor, nonce, policy.certificateChain())));
    }

    @Override
    public String toString() {
        return policy + (chainKey == null ? "" : " (with its chain key)");
    }
}
