package dev.siptls.provider;

import java.util.List;
import javax.net.ssl.SNIServerName;

/** What {@link Tls13PskEngine} reads from its BC peer (client or server) about the handshake. */
interface PskPeer {

    /** Its PSK copy, completion and ALPN protocol. */
    PskHandshake handshake();

    /** The SNI names the client sent (a client: the ones it sends). */
    List<SNIServerName> requestedServerNames();

    /** The session of the full handshake that replaced a declined PSK (client), or null. */
    default PskSession fullSession() {
        return null;
    }

    /** Whether the handshake failed because the peer would not use the PSK. */
    boolean declined();
}
