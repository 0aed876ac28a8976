package dev.siptls.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.CountingKeyManager;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.SipTlsProviderMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509TrustManager;

/**
 * Both SIP-TLS sides of a framework test, in one {@link Deployment}: a TLS server ({@code sip:www@example.com}
 * serving {@code localhost:port}, its key manager counted) and clients, each its own AOR; and the check that a
 * connection between them was resumed via SIP (with the defaults, a TLS 1.3 PSK handshake). The frameworks get only the {@code SSLContext}s: no
 * {@code suites=} setting, no cipher or protocol list of the test's own.
 */
final class SipTlsPeers implements AutoCloseable {

    final Deployment deployment;
    final int port;
    final SipTlsProvider serverSide;
    final CountingKeyManager serverKeys;
    /** The TLS server's SIP-TLS context, initialized with the counted key manager. */
    final SSLContext server;

    private SipTlsPeers(Deployment deployment, int port) throws Exception {
        this.deployment = deployment;
        this.port = port;
        serverSide = deployment.provider("sip:www@example.com", Map.of("serve", "localhost:" + port));
        serverKeys = CountingKeyManager.wrap(Deployment.keyManagers(deployment.tlsServer()));
        server = deployment.context(serverSide, new KeyManager[] {serverKeys});
        serverSide.assertHealthy(Deployment.REGISTRATION);
    }

    /** A key server and a registered TLS server side for a free port, which the framework's server must bind. */
    static SipTlsPeers start(Path dir) throws Exception {
        Deployment deployment = Deployment.start(dir);
        try {
            return new SipTlsPeers(deployment, Deployment.freePort());
        } catch (Exception | Error e) {
            deployment.close();
            throw e;
        }
    }

    /** A registered client side for {@code aor}. */
    Client client(String aor) throws Exception {
        SipTlsProvider provider = deployment.provider(aor, Map.of());
        SSLContext context = deployment.context(provider, null);
        provider.assertHealthy(Deployment.REGISTRATION);
        return new Client(provider, context);
    }

    /** The trust manager that accepts the TLS server's certificate, for clients that want one (OkHttp). */
    X509TrustManager trustManager() throws Exception {
        return (X509TrustManager) deployment.trustManagers()[0];
    }

    /** The counters of both sides before a connection; {@link #assertResumedViaSip} compares against them. */
    Before before(Client client) {
        return new Before(client, serverSide.statistics(), client.provider.statistics(),
                serverKeys.serverKeyRequests.get());
    }

    @Override
    public void close() {
        deployment.close();
    }

    record Client(SipTlsProvider provider, SSLContext context) {
    }

    /** One connection's check. */
    final class Before {
        private final Client client;
        private final long serverSip;
        private final long clientSip;
        private final long serverFull;
        private final long clientFull;
        private final long serverPsk;
        private final int keyRequests;

        private Before(Client client, SipTlsProviderMXBean server, SipTlsProviderMXBean clientStats, int keyRequests) {
            this.client = client;
            serverSip = server.getSipResumptionsAsServer();
            clientSip = clientStats.getSipResumptionsAsClient();
            serverFull = server.getFullHandshakesAsServer();
            clientFull = clientStats.getFullHandshakesAsClient();
            serverPsk = server.getSipTls13HandshakesAsServer();
            this.keyRequests = keyRequests;
        }

        /**
         * The connection whose sessions (the client's, the server's, or both, as the framework exposes them) are
         * given was resumed via SIP: each session's ID is the SA's and carries the SA's id as
         * {@link SipTlsProvider#SESSION_VALUE_ASSOCIATION}; the server's key manager was not asked for a key; both
         * providers counted a SIP resumption and no full handshake. A failure says what happened instead.
         */
        void assertResumedViaSip(SSLSession... sessions) throws InterruptedException {
            SipTlsProviderMXBean server = serverSide.statistics();
            SipTlsProviderMXBean clientStats = client.provider.statistics();
            // socket handshakes are counted a moment after they complete
            Polling.until(() -> server.getSipResumptionsAsServer() > serverSip
                    && clientStats.getSipResumptionsAsClient() > clientSip, Duration.ofSeconds(5));
            SecurityAssociation sa = client.provider.associations().byPeer(new HostPort("localhost", port))
                    .orElse(null);
            String observed = "SA " + (sa == null ? "none held by the client (the server holds SAs with suites "
                    + serverSide.associations().held().stream().map(SecurityAssociation::cipherSuite).toList() + ")"
                    : sa.sessionIdHex().substring(0, 8) + "... suite " + sa.cipherSuite()) + "; connection suite "
                    + (sessions.length == 0 ? "?" : sessions[0].getCipherSuite())
                    + "; client: SIP " + (clientStats.getSipResumptionsAsClient() - clientSip)
                    + ", full " + (clientStats.getFullHandshakesAsClient() - clientFull)
                    + ", fallbacks " + clientStats.getFallbacksByReason()
                    + "; server: SIP " + (server.getSipResumptionsAsServer() - serverSip)
                    + " (TLS 1.3 PSK " + (server.getSipTls13HandshakesAsServer() - serverPsk) + ")"
                    + ", full " + (server.getFullHandshakesAsServer() - serverFull)
                    + ", fallbacks " + server.getFallbacksByReason()
                    + ", key requests " + (serverKeys.serverKeyRequests.get() - keyRequests);
            assertNotNull(sa, observed);
            for (SSLSession session : sessions) {
                assertEquals(sa.sessionIdHex(), HexFormat.of().formatHex(session.getId()),
                        "the session is the SA's: " + observed);
                assertEquals(sa.sessionIdHex(), session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION),
                        "the session was made from the SA: " + observed);
            }
            assertEquals(keyRequests, serverKeys.serverKeyRequests.get(),
                    "the server's key manager was asked for a key: " + observed);
            assertEquals(serverFull, server.getFullHandshakesAsServer(), observed);
            assertEquals(clientFull, clientStats.getFullHandshakesAsClient(), observed);
            assertTrue(server.getSipResumptionsAsServer() > serverSip
                    && clientStats.getSipResumptionsAsClient() > clientSip, observed);
            // the frameworks keep the SIP-TLS defaults (TLS 1.3 and 1.2), so their SAs are TLS 1.3 PSKs
            assertEquals(server.getSipResumptionsAsServer() - serverSip, server.getSipTls13HandshakesAsServer()
                    - serverPsk, "SIP resumptions that were not TLS 1.3 PSK handshakes: " + observed);
        }
    }
}
