package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.provider.SipTlsProvider;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sessions made from SAs keep the JSSE session contract of a BCJSSE session, with the real key server: invalidation
 * ends an SA's use, the value names are the application's own, a server sees its real peer, the client's session
 * context lists and finds its sessions, and sockets created from an {@code InetAddress} resume too.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class SessionContractSystemTest {

    @Test
    void invalidatingAClientSessionMakesTheNextConnectionUseAFreshAssociation(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoPeers.Connection first = peers.resumedViaSip("first", 1);

            first.client().invalidate();
            assertFalse(first.client().isValid());
            EchoPeers.Connection second = peers.resumedViaSip("second", 2);

            assertFalse(Arrays.equals(first.client().getId(), second.client().getId()),
                    "the invalidated session's SA was offered again");
            assertEquals(2, peers.client().provider().statistics().getAssociationRequests());
            assertEquals(1, peers.client().provider().associations().held().size());
        }
    }

    @Test
    void invalidatingAServerSessionEndsItsAssociationThere(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoPeers.Connection first = peers.resumedViaSip("first", 1);

            first.server().invalidate();

            assertTrue(peers.server().provider().associations().bySessionId(first.client().getId()).isEmpty(),
                    "the server still holds the SA of the session it invalidated");
            EchoPeers.Connection second = peers.connect("second");
            assertFalse(Arrays.equals(first.client().getId(), second.client().getId()));
            EchoPeers.Connection third = peers.connect("third");
            assertArrayEquals(third.client().getId(), third.server().getId());
            assertEquals(Evidence.hex(third.client().getId()),
                    third.server().getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "the third connection is no SIP"
                    + " resumption");
            assertFalse(Arrays.equals(first.client().getId(), third.client().getId()));
            assertEquals(1, peers.client().provider().statistics().getFullHandshakesAsClient(),
                    "the SA the server forgot cost more than one full handshake");
        }
    }

    @Test
    void sessionsListOnlyTheApplicationsValueNames(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world)) {
            EchoPeers.Connection connection = peers.resumedViaSip("values", 1);

            for (SSLSession session : List.of(connection.client(), connection.server())) {
                assertEquals(List.of(), List.of(session.getValueNames()), "names of " + session);
                assertEquals(Evidence.hex(session.getId()), session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION));
                session.putValue("application", 42);
                assertEquals(List.of("application"), List.of(session.getValueNames()));
                assertEquals(42, session.getValue("application"));
                session.removeValue("application");
                assertEquals(List.of(), List.of(session.getValueNames()));
            }
        }
    }

    @Test
    void aServerSessionNamesTheRealPeer(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world);
             SSLSocket socket = (SSLSocket) peers.client().context().getSocketFactory()
                     .createSocket("localhost", peers.port())) {
            SSLSession serverSession = peers.resumedViaSip(socket, "who is there");

            assertEquals("127.0.0.1", serverSession.getPeerHost());
            assertEquals(socket.getLocalPort(), serverSession.getPeerPort());
        }
    }

    /** TLS 1.2 SA sessions: a TLS 1.3 PSK session is in no session context (nothing could resume it by id). */
    @Test
    void theClientContextListsAndFindsItsSessions(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world, Map.of("protocols", "TLSv1.2"))) {
            byte[] id = peers.resumedViaSip("listed", 1).client().getId();

            for (SSLSessionContext context : List.of(peers.client().context().getClientSessionContext(),
                    peers.server().context().getServerSessionContext())) {
                List<String> ids = Collections.list(context.getIds()).stream().map(Evidence::hex).toList();
                assertTrue(ids.contains(Evidence.hex(id)), ids + " lacks " + Evidence.hex(id));
                SSLSession found = context.getSession(id);
                assertNotNull(found, "getSession(id) found nothing");
                assertArrayEquals(id, found.getId());
            }
        }
    }

    @Test
    void aSocketCreatedFromAnInetAddressResumesViaSip(SipTlsWorld world) throws Exception {
        try (EchoPeers peers = EchoPeers.registered(world);
             SSLSocket socket = (SSLSocket) peers.client().context().getSocketFactory()
                     .createSocket(InetAddress.getByName("localhost"), peers.port())) {
            peers.resumedViaSip(socket, "by address");
        }
    }
}
