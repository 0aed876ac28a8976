package dev.siptls.provider;

import dev.siptls.protocol.CipherSuites;

import java.util.ArrayList;
import java.util.List;

/**
 * What a connection's enabled protocols and suites allow together: a TLS version is active only if some enabled
 * suite belongs to it, as SunJSSE reckons. BCJSSE does not: a server that enables TLS 1.3 but only TLS 1.2 suites
 * (an application that set its suites before TLS 1.3 was enabled by default) picks TLS 1.3 for a client that offers
 * it, then finds no suite and fails the handshake. SIP-TLS contexts enable TLS 1.3 by default, so their connections
 * enable only their active versions.
 */
final class EnabledVersions {

    private static final String TLS13 = "TLSv1.3";
    private static final String TLS12 = "TLSv1.2";

    private EnabledVersions() {
    }

    /** The suites a connection can use with an SA: those it enables, of the protocol versions it enables. */
    static List<String> usableSuites(String[] enabledSuites, String[] enabledProtocols) {
        List<String> protocols = List.of(enabledProtocols);
        boolean tls13 = protocols.contains(TLS13);
        boolean tls12 = protocols.contains(TLS12);
        List<String> usable = new ArrayList<>(enabledSuites.length);
        for (String suite : enabledSuites) {
            if (CipherSuites.isTls13(suite) ? tls13 : tls12) {
                usable.add(suite);
            }
        }
        return usable;
    }

    /**
     * {@code enabledProtocols} less TLS 1.3 if no enabled suite is a TLS 1.3 one, and less TLS 1.2 (and older) if
     * every enabled suite is; unchanged if that would leave none (the handshake then fails as it would have).
     */
    static String[] activeProtocols(String[] enabledProtocols, String[] enabledSuites) {
        boolean any13 = false;
        boolean anyOther = false;
        for (String suite : enabledSuites) {
            if (CipherSuites.isTls13(suite)) {
                any13 = true;
            } else if (!suite.endsWith("_SCSV")) {
                anyOther = true;
            }
        }
        List<String> active = new ArrayList<>(enabledProtocols.length);
        for (String protocol : enabledProtocols) {
            if (TLS13.equals(protocol) ? any13 : anyOther) {
                active.add(protocol);
            }
        }
        return active.isEmpty() || active.size() == enabledProtocols.length ? enabledProtocols
                : active.toArray(String[]::new);
    }
}
