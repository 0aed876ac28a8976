package dev.siptls.provider;

import java.util.Locale;

/**
 * Why a handshake could not resume with a security association, in a small fixed set so that counters stay
 * bounded; the detail of each case travels in the log line and the exception message.
 */
enum FallbackReason {

    /** Client: the association source has no SA for the peer and says no more. */
    NO_ASSOCIATION(true),
    /** Client: the SIP agent is not registered with its key server (down, unreachable, refusing us). */
    KEY_SERVER_UNAVAILABLE(true),
    /** Client: the key server gave no SA within {@code requestTimeout}. */
    REQUEST_TIMEOUT(true),
    /** Client: the key server (or the TLS server's agent) refused the SA request: 403, 404, 480, 488, 408. */
    REQUEST_REFUSED(true),
    /** Client: the SA request failed otherwise (connection lost, invalid answer, agent closed). */
    REQUEST_FAILED(true),
    /** Client: an SA was held but not usable (expired, untrusted server chain, not TLS 1.2...). */
    CLIENT_ASSOCIATION_UNUSABLE(true),
    /** Client: no SA was looked up at all (TLS 1.3 only, session resumption disabled). */
    CLIENT_NOT_OFFERED(true),
    /**
     * Client: an SA-built session went to the handshake, which still became a full one: the server did not
     * hold or declined the SA (SNI matchers...), or this connection asks for what the session cannot give
     * (endpoint identification {@code HTTPS} on a chain that does not name the host, a disabled suite).
     */
    ASSOCIATION_NOT_RESUMED(true),
    /** Server: the client offered no session to resume (not a SIP-TLS client, or it had no SA). */
    CLIENT_OFFERED_NONE(false),
    /** Server: the offered session id is not a live SA of this agent (unknown, expired or destroyed). */
    UNKNOWN_SESSION(false),
    /** Server: the SA was held but not usable (expired, not TLS 1.2...). */
    SERVER_ASSOCIATION_UNUSABLE(false),
    /**
     * Server: the SA was issued for another binding than this connection's: accepted on another port, or the
     * client's SNI names another host. The SA stays usable at its own binding.
     */
    ASSOCIATION_FOR_OTHER_BINDING(false),
    /** Server: the SA was found but BCJSSE would not resume it (suite, protocol, SNI matcher, client auth). */
    SERVER_NOT_RESUMABLE(false);

    private final boolean client;

    FallbackReason(boolean client) {
        this.client = client;
    }

    /** Whether the client side observes this reason. */
    boolean client() {
        return client;
    }

    /** The counter name, e.g. {@code key-server-unavailable}. */
    String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
