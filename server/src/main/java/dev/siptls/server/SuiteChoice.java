package dev.siptls.server;

import dev.siptls.protocol.CipherSuites;
import dev.siptls.protocol.SuiteOffer;
import java.util.List;

/**
 * Which cipher suite an SA gets (docs/PROTOCOL.md, phase 2): the TLS server's preference wins, as it would in a
 * full handshake, so the suite is the first of the server's policy that the client's policy also accepts and, if
 * the request carried the suites its client connection offers ({@link SuiteOffer}), that connection offers. Only
 * suites the key server issues count: by default AEAD suites with a forward-secret key exchange
 * ({@link CipherSuites#isAeadWithForwardSecrecy}); legacy suites (CBC, 3DES, plain RSA key exchange) only where
 * the deployer allows them ({@link KeyServerConfig#allowLegacySuites()}).
 */
final class SuiteChoice {

    /** Any suite both accept: the check the relay makes before it asks the server agent. */
    static final SuiteChoice ANY_COMMON = new SuiteChoice(true);

    private final boolean allowLegacy;

    SuiteChoice(boolean allowLegacy) {
        this.allowLegacy = allowLegacy;
    }

    /**
     * The suite for an SA between these two policies, one {@code offer} holds if given (null: no offer); 488 if
     * there is none, or none this key server issues.
     */
    String choose(StoredPolicy client, StoredPolicy server, SuiteOffer offer) throws Refusal {
        List<String> accepted = client.cipherSuites();
        boolean sharedLegacy = false;
        boolean notOffered = false;
        for (String suite : server.cipherSuites()) {
            if (!accepted.contains(suite)) {
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
        if (sharedLegacy) {
            throw new Refusal(488, "no-issuable-suite", "No common cipher suite this key server issues: only "
                    + "AEAD suites with forward secrecy unless legacy suites are allowed");
        }
        throw new Refusal(488, "no-common-suite", notOffered ? "No common cipher suite the client connection offers"
                : "No common cipher suite");
    }
}
