package dev.siptls.bench.demo;

import java.util.List;

/**
 * The ways the demo makes the same TLS sessions: three on TLS 1.2 (the paper's), and SIP-TLS once more on
 * TLS 1.3, whose SAs are external PSKs.
 */
enum Way {
    /** Full handshakes every time, both peers presenting certificates; no session is ever resumed. */
    TRADITIONAL("Traditional TLS", "full handshakes, mutual authentication, no resumption"),
    /** Ordinary TLS 1.2 session resumption: a link's first connection is full, later ones resume it. */
    RESUMPTION("TLS resumption", "first connection full, later ones resume the session"),
    /** The paper's method on TLS 1.2: the key server hands both peers an SA over SIP, the peers resume it. */
    SIP_TLS("SIP-TLS, TLS 1.2", "SA from the key server over SIP, abbreviated handshake"),
    /**
     * The same on TLS 1.3: the SA is an external PSK, every connection a PSK handshake with an x25519 exchange
     * ({@code psk_dhe_ke}), so a connection's keys stay secret even from the key server that issued the SA.
     */
    SIP_TLS_13("SIP-TLS, TLS 1.3 PSK", "SA from the key server over SIP as external PSK, PSK handshake with x25519");

    private static final List<String> TLS12 = List.of("TLSv1.2");

    private final String title;
    private final String description;

    Way(String title, String description) {
        this.title = title;
        this.description = description;
    }

    String title() {
        return title;
    }

    String description() {
        return description;
    }

    /** Whether the terminals run a SIP-TLS provider and get their sessions from the key server. */
    boolean sipTls() {
        return this == SIP_TLS || this == SIP_TLS_13;
    }

    /** The protocol every connection of this way must negotiate. */
    String protocol() {
        return this == SIP_TLS_13 ? "TLSv1.3" : "TLSv1.2";
    }

    /**
     * The protocols the connections enable, empty for the contexts' defaults. The TLS 1.3 way leaves them to
     * SIP-TLS's defaults (TLS 1.3 and 1.2): what an application that sets nothing gets.
     */
    List<String> connectionProtocols() {
        return this == SIP_TLS_13 ? List.of() : TLS12;
    }

    /**
     * The terminals' {@code protocols} setting, empty for the provider's default ({@code TLSv1.3,TLSv1.2}): the
     * TLS 1.2 way's terminals accept only TLS 1.2 SAs, as a deployment that keeps to the paper would.
     */
    List<String> terminalProtocols() {
        return this == SIP_TLS ? TLS12 : List.of();
    }
}
