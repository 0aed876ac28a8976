package dev.siptls.bench.demo;

/** The three ways the demo makes the same TLS sessions. */
enum Way {
    /** Full handshakes every time, both peers presenting certificates; no session is ever resumed. */
    TRADITIONAL("Traditional TLS", "full handshakes, mutual authentication, no resumption"),
    /** Ordinary TLS 1.2 session resumption: a link's first connection is full, later ones resume it. */
    RESUMPTION("TLS resumption", "first connection full, later ones resume the session"),
    /** The paper's method: the key server hands both peers an SA over SIP, the peers resume it. */
    SIP_TLS("SIP-TLS", "SA from the key server over SIP, abbreviated handshake");

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
}
