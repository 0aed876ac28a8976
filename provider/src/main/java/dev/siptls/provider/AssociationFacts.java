package dev.siptls.provider;

import dev.siptls.protocol.SecurityAssociation;

import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCrypto;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What one context derives from an SA that depends on the SA alone, kept from one session lookup to the next:
 * its certificate chains in BCJSSE's form and the application trust manager's verdicts on them.
 *
 * <p>Why: every lookup builds a fresh session (the security property: a failed resumption destroys only its
 * own copy of the master secret), but parsing the chains and running PKIX on every handshake cost more than
 * the resumed handshake itself. SAs are immutable, so only the secret-bearing session stays per lookup. Entries
 * are keyed by SA identity and held weakly: they go when the SA's owner drops the SA. A verdict is asked
 * again after {@link #RECHECK_MILLIS} or once a certificate of its chain has expired, so that trust manager
 * changes (revocation, a new trust store) and expiry still apply to a long-lived SA.
 */
final class AssociationFacts {

    /** How long a trust verdict on an SA's chain stands before the trust manager is asked again. */
    static final long RECHECK_MILLIS = 60_000;

    private final TlsCrypto crypto;
    private final Map<SecurityAssociation, Facts> bySa = Collections.synchronizedMap(new WeakHashMap<>());

    AssociationFacts(TlsCrypto crypto) {
        this.crypto = crypto;
    }

    /** The facts of {@code sa}, created empty at the first lookup of that SA. */
    Facts of(SecurityAssociation sa) {
        return bySa.computeIfAbsent(sa, Facts::new);
    }

    /** Number of SAs with facts; for tests. */
    int size() {
        return bySa.size();
    }

    /** A verdict with the time (epoch ms) until which it stands. */
    private record Timed<T>(T value, long until) {
    }

    /** The derived facts of one SA; safe to share between handshake threads. */
    final class Facts {
        // No field refers to the SA: that would keep the weak key alive.
        private final List<X509Certificate> serverChain;
        private final List<X509Certificate> clientChain;
        private volatile Certificate serverCertificate;
        private volatile Certificate clientCertificate;
        private volatile Timed<List<X509Certificate>> trustedClientChain;
        private final Map<String, Timed<PeerTrust.Verdict>> serverVerdicts = new ConcurrentHashMap<>();

        private Facts(SecurityAssociation sa) {
            this.serverChain = sa.server().certificateChain();
            this.clientChain = sa.client().certificateChain();
        }

        /** The SA's server chain in BCJSSE's form, {@code null} if it has none. */
        Certificate serverCertificate() throws IOException, CertificateEncodingException {
            Certificate c = serverCertificate;
            if (c == null && !serverChain.isEmpty()) {
                c = certificate(serverChain);
                serverCertificate = c;
            }
            return c;
        }

        /** The SA's client chain in BCJSSE's form, {@code null} if it has none. */
        Certificate clientCertificate() throws IOException, CertificateEncodingException {
            Certificate c = clientCertificate;
            if (c == null && !clientChain.isEmpty()) {
                c = certificate(clientChain);
                clientCertificate = c;
            }
            return c;
        }

        /** Server side: {@code check}'s verdict on the client chain (the chain, or empty), asked when due. */
        List<X509Certificate> trustedClientChain(long now, Supplier<List<X509Certificate>> check) {
            Timed<List<X509Certificate>> t = trustedClientChain;
            if (t == null || now >= t.until()) {
                t = new Timed<>(check.get(), until(now, clientChain));
                trustedClientChain = t;
            }
            return t.value();
        }

        /** Client side: {@code check}'s verdict on the server chain for {@code host}, asked when due. */
        PeerTrust.Verdict serverVerdict(String host, long now, Supplier<PeerTrust.Verdict> check) {
            Timed<PeerTrust.Verdict> t = serverVerdicts.get(host);
            if (t == null || now >= t.until()) {
                t = new Timed<>(check.get(), until(now, serverChain));
                if (serverVerdicts.size() < 64) { // a client SA serves one host:port; bound it anyway
                    serverVerdicts.put(host, t);
                }
            }
            return t.value();
        }

        private Certificate certificate(List<X509Certificate> chain)
                throws IOException, CertificateEncodingException {
            TlsCertificate[] certificates = new TlsCertificate[chain.size()];
            for (int i = 0; i < certificates.length; i++) {
                certificates[i] = crypto.createCertificate(chain.get(i).getEncoded());
            }
            return new Certificate(certificates);
        }
    }

    /** The earlier of {@code now + RECHECK_MILLIS} and the first expiry in {@code chain}. */
    private static long until(long now, List<X509Certificate> chain) {
        long until = now + RECHECK_MILLIS;
        for (X509Certificate c : chain) {
            until = Math.min(until, c.getNotAfter().getTime());
        }
        return until;
    }
}
