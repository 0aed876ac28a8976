package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attack the read-through design exists for: whoever saw an SA's session id in a ClientHello can
 * replay it and end the resumption with a bad Finished, which makes BCJSSE destroy the session it used.
 */
@Timeout(60)
class ForgedResumptionTest {

    @Test
    void forgedResumptionFailsAndTheRealClientStillResumes() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh();
            SecurityAssociation serverCopy = content.forServerAt(server.port());
            serverAgent.serving(serverCopy);
            // The attacker knows the session id (it is cleartext) but not the master secret.
            SSLContext attacker = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forgedForServerAt(server.port())));
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));

            assertThrows(IOException.class, () -> EchoClient.exchange(attacker, server.port(), "forged"));
            EchoServer.Outcome attacked = server.next();
            assertNull(attacked.session(), "the server completed a forged resumption");
            assertNotNull(attacked.failure());

            EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "still here");
            SSLSession serverSession = server.next().resumedOrFull();

            assertEquals("echo: still here", exchange.answer());
            assertArrayEquals(content.sessionId(), exchange.session().getId());
            assertArrayEquals(content.sessionId(), serverSession.getId());
            assertEquals(0, serverKeys.serverKeyRequests.get(), "the server fell back to a full handshake");
            assertEquals(2, serverAgent.idLookups.get(), "the forged attempt and the real one each read the SA");
            assertFalse(serverCopy.isDestroyed(), "the bridge destroyed the server's SA");
        }
    }

    @Test
    void repeatedForgeriesNeverSpoilTheAssociation() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh();
            serverAgent.serving(content.forServerAt(server.port()));
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));

            for (int i = 0; i < 3; i++) {
                SSLContext attacker = SipTlsContexts.client(new InMemoryAssociations()
                        .offering("localhost", server.port(), content.forgedForServerAt(server.port())));
                assertThrows(IOException.class, () -> EchoClient.exchange(attacker, server.port(), "forged"));
                assertNull(server.next().session());
                EchoClient.Exchange exchange = EchoClient.exchange(client, server.port(), "real " + i);
                assertArrayEquals(content.sessionId(), exchange.session().getId());
                assertArrayEquals(content.sessionId(), server.next().resumedOrFull().getId());
            }
            assertEquals(0, serverKeys.serverKeyRequests.get());
            assertTrue(serverAgent.notUsedReasons.isEmpty(), serverAgent.notUsedReasons::toString);
        }
    }

    @Test
    void concurrentForgeriesDoNotDisturbRealResumptions() throws Exception {
        CountingKeyManager serverKeys = new CountingKeyManager(TestPki.keyManager(TestPki.SERVER));
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent, serverKeys))) {
            Associations content = Associations.fresh();
            serverAgent.serving(content.forServerAt(server.port()));
            SSLContext client = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forServerAt(server.port())));
            SSLContext attacker = SipTlsContexts.client(new InMemoryAssociations()
                    .offering("localhost", server.port(), content.forgedForServerAt(server.port())));

            List<Future<byte[]>> real = new ArrayList<>();
            List<Future<Boolean>> forged = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                real.add(pool.submit(() -> EchoClient.exchange(client, server.port(), "real").session().getId()));
                forged.add(pool.submit(() -> {
                    try {
                        EchoClient.exchange(attacker, server.port(), "forged");
                        return true;
                    } catch (IOException expected) {
                        return false;
                    }
                }));
            }
            for (Future<byte[]> id : real) {
                assertArrayEquals(content.sessionId(), id.get(30, TimeUnit.SECONDS));
            }
            for (Future<Boolean> completed : forged) {
                assertFalse(completed.get(30, TimeUnit.SECONDS), "a forged resumption completed");
            }
            assertEquals(0, serverKeys.serverKeyRequests.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
