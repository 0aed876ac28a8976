package dev.siptls.provider;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why handshakes of one provider fall back, and what then happens: an ordinary full handshake
 * ({@code fallback=full}: counted by reason) or a refusal ({@code fallback=fail}: an
 * {@code SSLHandshakeException} that says why). Either is logged in one line, at most once a minute per reason
 * ({@link ReasonRateLimit}), never with a stack trace.
 *
 * <p>The session lookups record what they found (an SA, or a {@link Miss} with its reason); the application's
 * trust manager (client) and key manager (server), which BCJSSE consults only in full handshakes, report the
 * full handshake, and the ledger matches the two: a client by the peer's {@code "host:port"} (what BCJSSE
 * looked the session up by), a server by thread (BCJSSE looks the session up and picks the server key while
 * processing the same ClientHello). A client with no SA under {@code fallback=fail} is refused before it
 * sends its ClientHello, so the server does no work for it.
 */
final class HandshakeLedger {

    private static final System.Logger LOG = System.getLogger(HandshakeLedger.class.getName());
    private static final long STALE_NANOS = 10_000_000_000L;
    private static final int MAX_PEERS = 4096;

    /** Why no SA was used, with a human-readable detail that names no secret. */
    record Miss(FallbackReason reason, String detail) {
    }

    /**
     * A lookup's outcome: a miss, or the hex id of the SA handed to the handshake; for a server, on which
     * connection (the BCJSSE socket or engine), so that a later handshake on the same thread does not take it.
     */
    private record Outcome(Miss miss, String associationId, long at, Object connection) {
        Outcome(Miss miss, String associationId, long at) {
            this(miss, associationId, at, null);
        }

        boolean fresh() {
            return System.nanoTime() - at < STALE_NANOS;
        }
    }

    /** A server full handshake between choosing its key and taking it. */
    private record Pending(Object connection, Miss miss) {
    }

    private final String name;
    private final SipTlsConfiguration.Fallback mode;
    private final ProviderStatistics statistics;
    private final ReasonRateLimit<FallbackReason> logLimit = new ReasonRateLimit<>();
    private final Map<String, Outcome> clientOutcomes = new ConcurrentHashMap<>();
    private final ThreadLocal<Outcome> lastClientLookup = new ThreadLocal<>();
    private final ThreadLocal<Outcome> lastServerLookup = new ThreadLocal<>();
    private final ThreadLocal<Pending> pendingServerKey = new ThreadLocal<>();

    /**
     * @param name names the provider in logs and messages (its AOR)
     */
    HandshakeLedger(String name, SipTlsConfiguration.Fallback mode, ProviderStatistics statistics) {
        this.name = name;
        this.mode = mode;
        this.statistics = statistics;
    }

    ProviderStatistics statistics() {
        return statistics;
    }

    SipTlsConfiguration.Fallback mode() {
        return mode;
    }

    /** Client: an SA-built session for {@code host:port} goes to the handshake. */
    void clientOffered(String host, int port, String associationId) {
        recordClient(host, port, new Outcome(null, associationId, System.nanoTime()));
    }

    /**
     * Client: no SA for {@code host:port}. Under {@code fallback=fail} refuses the handshake here (throws an
     * {@code SSLHandshakeException}); otherwise the trust manager will report the full handshake.
     */
    void clientMissed(String host, int port, Miss miss) {
        if (mode == SipTlsConfiguration.Fallback.FAIL) {
            throw refuse(miss, host + ":" + port);
        }
        recordClient(host, port, new Outcome(miss, null, System.nanoTime()));
    }

    /** Server: the SA with this id goes to the handshake running on this thread. */
    void serverFound(String associationId) {
        lastServerLookup.set(new Outcome(null, associationId, System.nanoTime(), AcceptedConnection.current()));
    }

    /** Server: the offered session id gave no usable SA for the handshake running on this thread. */
    void serverMissed(Miss miss) {
        lastServerLookup.set(new Outcome(miss, null, System.nanoTime(), AcceptedConnection.current()));
    }

    /**
     * Client, from the trust manager: a full handshake with {@code host:port} ({@code host} null if unknown) is
     * checking the server's certificate. Counts it, or refuses it under {@code fallback=fail}.
     */
    void clientFullHandshake(String host, int port) {
        Outcome outcome = host != null ? clientOutcomes.get(peerKey(host, port)) : lastClientLookup.get();
        String peer = host != null ? host + ":" + port : "the server";
        Miss miss;
        if (outcome == null || !outcome.fresh()) {
            miss = new Miss(FallbackReason.CLIENT_NOT_OFFERED, "no security association was offered to " + peer
                    + " (TLS 1.3 only, or session resumption disabled on the connection)");
        } else if (outcome.miss() != null) {
            miss = outcome.miss();
        } else { // the connection forgets the SA itself (ClientOffers)
            miss = new Miss(FallbackReason.ASSOCIATION_NOT_RESUMED, "the handshake with " + peer
                    + " did not resume security association " + abbreviate(outcome.associationId()) + ": the server"
                    + " does not hold it or declined it, or the connection asks for what it cannot give (endpoint"
                    + " identification on a chain that does not name the host, a suite not enabled)");
        }
        fallBack(miss, peer);
    }

    /**
     * Server, from the key manager: a full handshake with {@code connection} (a socket or engine) is choosing
     * its key. Refuses it under {@code fallback=fail}; otherwise it is counted when the key is taken.
     */
    void serverKeyChosen(Object connection, String peer) {
        Pending pending = pendingServerKey.get();
        if (pending != null && pending.connection() == connection) {
            return; // BCJSSE asks once per key type
        }
        Outcome outcome = lastServerLookup.get();
        lastServerLookup.remove();
        if (outcome != null && outcome.connection() != null && outcome.connection() != connection) {
            outcome = null; // an earlier handshake's lookup on this thread: this client offered nothing
        }
        Miss miss;
        if (outcome == null || !outcome.fresh()) {
            miss = new Miss(FallbackReason.CLIENT_OFFERED_NONE, "the client " + peer
                    + " offered no security association to resume");
        } else if (outcome.miss() != null) {
            miss = outcome.miss();
        } else {
            miss = new Miss(FallbackReason.SERVER_NOT_RESUMABLE, "security association "
                    + abbreviate(outcome.associationId()) + " offered by " + peer + " cannot be resumed on this"
                    + " connection (suite or protocol not enabled, SNI matchers, or client authentication needed"
                    + " without a client certificate in the SA)");
        }
        if (mode == SipTlsConfiguration.Fallback.FAIL) {
            pendingServerKey.remove();
            throw refuse(miss, peer);
        }
        pendingServerKey.set(new Pending(connection, miss));
    }

    /** Server, from the key manager: the chosen key is taken, so the full handshake goes ahead. */
    void serverKeyTaken() {
        Pending pending = pendingServerKey.get();
        if (pending != null) {
            pendingServerKey.remove();
            fallBack(pending.miss(), null);
        }
    }

    /** Client authentication is choosing a key on this thread: no server key choice is pending here. */
    void clientKeyChosen() {
        pendingServerKey.remove();
    }

    private void fallBack(Miss miss, String peer) {
        if (mode == SipTlsConfiguration.Fallback.FAIL) {
            throw refuse(miss, peer);
        }
        statistics.fallback(miss.reason(), false);
        long quiet = logLimit.admit(miss.reason());
        if (quiet >= 0) {
            LOG.log(Level.WARNING, "{0}: full handshake instead of a SIP-TLS resumption ({1}): {2}. {3}", name,
                    miss.reason().key(), miss.detail(), howOften(quiet));
        }
    }

    private RuntimeException refuse(Miss miss, String peer) {
        statistics.fallback(miss.reason(), true);
        String message = "SIP-TLS (" + name + ", fallback=fail) refused a full handshake"
                + (peer == null ? "" : " with " + peer) + ": " + miss.detail();
        long quiet = logLimit.admit(miss.reason());
        if (quiet >= 0) {
            LOG.log(Level.WARNING, "{0} [{1}]. {2}", message, miss.reason().key(), howOften(quiet));
        }
        return new RefusedHandshakeException(message).raise();
    }

    /** The tail of a rate-limited line: how many like it went unlogged, and where they are all counted. */
    private static String howOften(long quiet) {
        return (quiet == 0 ? "" : quiet + " more like this since the last such line. ")
                + "Logged at most once a minute per reason; counts are in JMX dev.siptls:type=Provider";
    }

    private void recordClient(String host, int port, Outcome outcome) {
        if (clientOutcomes.size() >= MAX_PEERS) {
            clientOutcomes.clear();
        }
        clientOutcomes.put(peerKey(host, port), outcome);
        lastClientLookup.set(outcome);
    }

    private static String peerKey(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static String abbreviate(String hex) {
        return hex.length() > 16 ? hex.substring(0, 16) + "…" : hex;
    }
}
