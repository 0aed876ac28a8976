package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.provider.SipTlsProvider;
import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "first");
            Evidence.sipResumption(client, first.session(), server, echo.next().handshaken(), 1);

            first.session().invalidate();
            assertFalse(first.session().isValid());
            EchoClient.Exchange second = EchoClient.exchange(client.context(), "localhost", port, "second");
            Evidence.sipResumption(client, second.session(), server, echo.next().handshaken(), 2);

            assertFalse(Arrays.equals(first.session().getId(), second.session().getId()),
                    "the invalidated session's SA was offered again");
            assertEquals(2, client.provider().statistics().getAssociationRequests());
            assertEquals(1, client.provider().associations().held().size());
        }
    }

    @Test
    void invalidatingAServerSessionEndsItsAssociationThere(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange first = EchoClient.exchange(client.context(), "localhost", port, "first");
            SSLSession serverSession = echo.next().handshaken();
            Evidence.sipResumption(client, first.session(), server, serverSession, 1);

            serverSession.invalidate();

            assertTrue(server.provider().associations().bySessionId(first.session().getId()).isEmpty(),
                    "the server still holds the SA of the session it invalidated");
            EchoClient.Exchange second = EchoClient.exchange(client.context(), "localhost", port, "second");
            echo.next().handshaken();
            assertFalse(Arrays.equals(first.session().getId(), second.session().getId()));
            EchoClient.Exchange third = EchoClient.exchange(client.context(), "localhost", port, "third");
            SSLSession thirdOnServer = echo.next().handshaken();
            assertArrayEquals(third.session().getId(), thirdOnServer.getId());
            assertEquals(Evidence.hex(third.session().getId()),
                    thirdOnServer.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION), "the third connection is no SIP"
                    + " resumption");
            assertFalse(Arrays.equals(first.session().getId(), third.session().getId()));
            assertEquals(1, client.provider().statistics().getFullHandshakesAsClient(),
                    "the SA the server forgot cost more than one full handshake");
        }
    }

    @Test
    void sessionsListOnlyTheApplicationsValueNames(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "values");
            SSLSession serverSession = echo.next().handshaken();
            Evidence.sipResumption(client, exchange.session(), server, serverSession, 1);

            for (SSLSession session : List.of(exchange.session(), serverSession)) {
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
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port);
             SSLSocket socket = (SSLSocket) client.context().getSocketFactory().createSocket("localhost", port)) {
            talk(socket, "who is there");
            SSLSession serverSession = echo.next().handshaken();
            Evidence.sipResumption(client, socket.getSession(), server, serverSession, 1);

            assertEquals("127.0.0.1", serverSession.getPeerHost());
            assertEquals(socket.getLocalPort(), serverSession.getPeerPort());
        }
    }

    @Test
    void theClientContextListsAndFindsItsSessions(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange exchange = EchoClient.exchange(client.context(), "localhost", port, "listed");
            SSLSession serverSession = echo.next().handshaken();
            Evidence.sipResumption(client, exchange.session(), server, serverSession, 1);
            byte[] id = exchange.session().getId();

            for (SSLSessionContext context : List.of(client.context().getClientSessionContext(),
                    server.context().getServerSessionContext())) {
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
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port);
             SSLSocket socket = (SSLSocket) client.context().getSocketFactory()
                     .createSocket(InetAddress.getByName("localhost"), port)) {
            talk(socket, "by address");
            Evidence.sipResumption(client, socket.getSession(), server, echo.next().handshaken(), 1);
        }
    }

    private static void talk(SSLSocket socket, String line) throws Exception {
        PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out.println(line);
        assertEquals("echo: " + line, in.readLine());
    }
}
