package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.SipTlsProviderMXBean;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSession;

/** What proves that a handshake resumed with a SIP-distributed security association, checked in one place. */
final class Evidence {

    private static final Duration EVENTUALLY = Duration.ofSeconds(10);

    private Evidence() {
    }

    /**
     * Both sessions carry the id of an SA that both agents hold (the key server distributed it), the server's
     * key manager was never asked for a key, no full handshake happened on either side, and each side counted
     * {@code sipResumptions} SIP resumptions.
     *
     * @return the SA (the client agent's copy)
     */
    static SecurityAssociation sipResumption(SipTlsWorld.Terminal client, SSLSession clientSession,
                                             SipTlsWorld.Terminal server, SSLSession serverSession,
                                             long sipResumptions) throws InterruptedException {
        byte[] id = clientSession.getId();
        assertArrayEquals(id, serverSession.getId(), "client and server sessions differ");
        SecurityAssociation clientCopy = client.provider().associations().bySessionId(id)
                .orElseThrow(() -> new AssertionError("the client agent holds no SA " + hex(id)));
        assertTrue(server.provider().associations().bySessionId(id).isPresent(),
                "the server agent holds no SA " + hex(id));
        assertEquals(hex(id), clientSession.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        assertEquals(hex(id), serverSession.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
        assertEquals(0, server.keys().serverKeyRequests.get(), "the server's key manager was asked for a key");
        noFullHandshakes(client.provider());
        noFullHandshakes(server.provider());
        eventually(sipResumptions, () -> client.provider().statistics().getSipResumptionsAsClient(),
                "client SIP resumptions");
        eventually(sipResumptions, () -> server.provider().statistics().getSipResumptionsAsServer(),
                "server SIP resumptions");
        return clientCopy;
    }

    static void noFullHandshakes(SipTlsProvider provider) {
        SipTlsProviderMXBean stats = provider.statistics();
        assertEquals(0, stats.getFullHandshakesAsClient(), "full handshakes as client");
        assertEquals(0, stats.getFullHandshakesAsServer(), "full handshakes as server");
        assertEquals(Map.of(), stats.getFallbacksByReason(), "fallbacks");
    }

    /** Waits for a counter that sockets report a moment after their handshake. */
    static void eventually(long expected, LongSupplier counter, String what) throws InterruptedException {
        long deadline = System.nanoTime() + EVENTUALLY.toNanos();
        while (counter.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, counter.getAsLong(), what);
    }

    static String hex(byte[] id) {
        return HexFormat.of().formatHex(id);
    }
}
