package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.siptls.protocol.SecurityAssociation;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client waiting for the key server to answer for one peer does not hold up handshakes with other peers of the
 * same context: the lookup that waits runs before its handshake, outside BCJSSE's session-cache lock.
 */
@Timeout(60)
class IndependentLookupsTest {

    @Test
    void aWaitForOnePeersAssociationDoesNotStallAHandshakeWithAnother() throws Exception {
        Associations content = Associations.fresh();
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer slow = EchoServer.start(SipTlsContexts.server(new InMemoryAssociations(),
                     TestPki.keyManager(TestPki.SERVER)));
             EchoServer ready = EchoServer.start(SipTlsContexts.server(serverAgent,
                     TestPki.keyManager(TestPki.SERVER)))) {
            serverAgent.serving(content.forServerAt(ready.port()));
            CountDownLatch keyServerAnswers = new CountDownLatch(1);
            CountDownLatch waiting = new CountDownLatch(1);
            InMemoryAssociations clientAgent = new InMemoryAssociations() {
                @Override
                public Optional<SecurityAssociation> forPeer(String host, int port) {
                    if (port == slow.port()) {
                        waiting.countDown();
                        try {
                            keyServerAnswers.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return Optional.empty();
                    }
                    return super.forPeer(host, port);
                }
            }.offering("localhost", ready.port(), content.forServerAt(ready.port()));
            SSLContext client = SipTlsContexts.client(clientAgent);

            CompletableFuture<EchoClient.Exchange> stalled = CompletableFuture.supplyAsync(() -> {
                try {
                    return EchoClient.exchange(client, slow.port(), "waits for the key server");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            waiting.await();
            CompletableFuture<EchoClient.Exchange> other = CompletableFuture.supplyAsync(() -> {
                try {
                    return EchoClient.exchange(client, ready.port(), "has its SA");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Generous: the handshake takes milliseconds; before, it waited for the other peer's lookup forever.
            EchoClient.Exchange exchange = other.get(30, TimeUnit.SECONDS);

            assertEquals("echo: has its SA", exchange.answer());
            assertArrayEquals(content.sessionId(), exchange.session().getId());
            assertFalse(stalled.isDone(), "the slow peer's lookup should still be waiting");
            keyServerAnswers.countDown();
            assertEquals("echo: waits for the key server", stalled.get(30, TimeUnit.SECONDS).answer());
        }
    }
}
