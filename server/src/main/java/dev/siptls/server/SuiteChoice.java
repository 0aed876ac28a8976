package dev.siptls.server;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.SuiteOffer;
import java.util.List;

/**
 * Which cipher suite, and so which protocol version, an SA gets (docs/PROTOCOL.md, phase 2). A TLS 1.3 SA whenever
 * both policies list TLSv1.3 and share a TLS 1.3 suite, as a TLS handshake negotiates the highest common version;
 * else a TLS 1.2 SA if both list TLSv1.2; else 488. Within a version the TLS server's preference wins, as it would
 * in a full handshake, so the suite is the first of the server's policy that the client's policy also accepts and,
 * if the request carried the suites its client connection offers ({@link SuiteOffer}), that connection offers.
 * Only suites the key server issues count: by default every TLS 1.3 suite and the TLS 1.2 AEAD suites with a
 * forward-secret key exchange ({@link CipherSuites#isAeadWithForwardSecrecy}); legacy suites (CBC, 3DES, plain
 * RSA key exchange) only where the deployer allows them ({@link KeyServerConfig#allowLegacySuites()}).
 */
final class SuiteChoice {

    /** Any suite both accept: the check the relay makes before it asks the server agent. */
    static final SuiteChoice ANY_COMMON = new SuiteChoice(true);

    private final boolean allowLegacy;

    SuiteChoice(boolean allowLegacy) {
        this.allowLegacy = allowLegacy;
    }

    /**
     * The suite for an SA between these two policies, one {@code offer} holds if given (null: no offer); a TLS 1.3
     * suite if it can be one ({@link CipherSuites#isTls13} tells the SA's version); 488 if there is none, or none
     * this key server issues.
     */
    String choose(StoredPolicy client, StoredPolicy server, SuiteOffer offer) throws Refusal {
        boolean tls13 = client.accepts(CipherSuites.TLS_1_3) && server.accepts(CipherSuites.TLS_1_3);
        boolean tls12 = client.accepts(CipherSuites.TLS_1_2) && server.accepts(CipherSuites.TLS_1_2);
        if (!tls13 && !tls12) {
            throw new Refusal(488, "no-common-version", "No common TLS version: the client accepts "
                    + versions(client) + ", the server " + versions(server));
        }
        List<String> accepted = client.cipherSuites();
        boolean sharedLegacy = false;
        boolean notOffered = false;
        for (boolean pass13 : new boolean[] {true, false}) {
            if (pass13 ? !tls13 : !tls12) {
                continue;
            }
            for (String suite : server.cipherSuites()) {
                if (CipherSuites.isTls13(suite) != pass13 || !accepted.contains(suite)) {
                    continue;
                }
                if (offer != null && !offer.offers(suite)) {
                    notOffered = true;
                    continue;
                }
                if (allowLegacy || CipherSuites.isAeadWithForwardSecrecy(suite)) {
                    return suite;
                }
                sharedLegacy = true;
            }
        }
        if (sharedLegacy) {
            throw new Refusal(488, "no-issuable-suite", "No common cipher suite this key server issues: only "
                    + "AEAD suites with forward secrecy unless legacy suites are allowed");
        }
        throw new Refusal(488, "no-common-suite", notOffered ? "No common cipher suite the client connection offers"
                : "No common cipher suite");
    }

    private static String versions(StoredPolicy policy) {
        return policy.accepts(CipherSuites.TLS_1_3) && policy.accepts(CipherSuites.TLS_1_2) ? "TLSv1.3 and TLSv1.2"
                : policy.accepts(CipherSuites.TLS_1_3) ? "TLSv1.3 only" : "TLSv1.2 only";
    }
}
