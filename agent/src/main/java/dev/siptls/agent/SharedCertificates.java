package dev.siptls.agent;

import dev.siptls.protocol.PeerInfo;
import dev.siptls.protocol.SecurityAssociation;
import java.lang.ref.WeakReference;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One object per distinct certificate across all SAs an agent holds. Every SA body carries the peers'
 * certificate chains, and a parsed certificate takes several KiB, while an SA without them takes under one.
 * The JDK's certificate factory happens to reuse recently parsed certificates, but only its last 750 or so:
 * a server agent with more distinct clients than that would hold a copy per SA. Entries go when no SA uses
 * the certificate any more.
 */
final class SharedCertificates {

    /** Keyed by the certificate itself: {@code X509Certificate.equals} compares the encoded form. */
    private final Map<X509Certificate, WeakReference<X509Certificate>> canonical = new WeakHashMap<>();

    /**
     * The same SA with shared certificate objects: a new SA (the given one is destroyed) when its chains held
     * any certificate, else the given one.
     */
    SecurityAssociation share(SecurityAssociation sa) {
        if (sa.client().certificateChain().isEmpty() && sa.server().certificateChain().isEmpty()) {
            return sa;
        }
        byte[] secret = sa.masterSecret();
        try {
            SecurityAssociation shared = SecurityAssociation.builder()
                    .sessionId(sa.sessionId())
                    .cipherSuite(sa.cipherSuite())
                    .protocolVersion(sa.protocolVersion())
                    .extendedMasterSecret(sa.extendedMasterSecret())
                    .masterSecret(secret)
                    .lifetime(sa.lifetime())
                    .creationTime(sa.creationTime())
                    .client(share(sa.client()))
                    .server(share(sa.server()))
                    .build();
            sa.destroy();
            return shared;
        } finally {
            java.util.Arrays.fill(secret, (byte) 0);
        }
    }

    private PeerInfo share(PeerInfo peer) {
        return PeerInfo.builder().random(peer.random()).identity(peer.identity())
                .address(peer.address().orElse(null)).certificateChain(share(peer.certificateChain())).build();
    }

    private synchronized List<X509Certificate> share(List<X509Certificate> chain) {
        List<X509Certificate> out = new ArrayList<>(chain.size());
        for (X509Certificate certificate : chain) {
            WeakReference<X509Certificate> ref = canonical.get(certificate);
            X509Certificate known = ref == null ? null : ref.get();
            if (known == null) {
                canonical.put(certificate, new WeakReference<>(certificate));
                known = certificate;
            }
            out.add(known);
        }
        return out;
    }
}
