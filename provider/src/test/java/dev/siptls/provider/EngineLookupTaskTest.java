package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client engine whose first SA for a peer has to come from the key server asks for it in a delegated task
 * ({@code NEED_TASK}), so the thread that drives the engine (an event loop) is not the one that waits; an engine
 * whose SA is held offers it at once.
 */
@Timeout(60)
class EngineLookupTaskTest {

    /** A source that would wait for {@code slowPort}'s SA until the latch opens, and holds the others. */
    private static InMemoryAssociations waitingFor(int slowPort, CountDownLatch answer, SecurityAssociation slowSa) {
        return new InMemoryAssociations() {
            @Override
            public boolean mayWait(String host, int port, List<String> suites) {
                return port == slowPort;
            }

            @Override
            public Optional<SecurityAssociation> forPeer(String host, int port) {
                if (port != slowPort) {
                    return super.forPeer(host, port);
                }
                try {
                    answer.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Optional.of(slowSa);
            }
        };
    }

    @Test
    void theWaitForAnAssociationRunsAsADelegatedTaskWhileOtherEnginesGoOn() throws Exception {
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer slow = EchoServer.start(SipTlsContexts.server(serverAgent, TestPki.keyManager(TestPki.SERVER)));
             EchoServer ready = EchoServer.start(SipTlsContexts.server(serverAgent,
                     TestPki.keyManager(TestPki.SERVER)))) {
            Associations slowContent = Associations.fresh();
            Associations readyContent = Associations.fresh();
            serverAgent.serving(slowContent.forServerAt(slow.port())).serving(readyContent.forServerAt(ready.port()));
            CountDownLatch keyServerAnswers = new CountDownLatch(1);
            SSLContext client = SipTlsContexts.client(waitingFor(slow.port(), keyServerAnswers,
                    slowContent.forServerAt(slow.port())).offering("localhost", ready.port(),
                    readyContent.forServerAt(ready.port())));

            SSLEngine waiting = client.createSSLEngine("localhost", slow.port());
            waiting.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocate(waiting.getSession().getPacketBufferSize());
            SSLEngineResult first = waiting.wrap(ByteBuffer.allocate(0), out);
            assertEquals(SSLEngineResult.HandshakeStatus.NEED_TASK, first.getHandshakeStatus());
            assertEquals(0, first.bytesProduced());
            assertEquals(SSLEngineResult.HandshakeStatus.NEED_TASK, waiting.getHandshakeStatus());
            Runnable lookup = waiting.getDelegatedTask();
            assertNotNull(lookup);
            assertNull(waiting.getDelegatedTask(), "the lookup was handed out twice");
            CompletableFuture<Void> task = CompletableFuture.runAsync(lookup);

            // Meanwhile, on this thread, an engine for a peer whose SA is held handshakes at once.
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", ready.port()))) {
                SSLEngine other = client.createSSLEngine("localhost", ready.port());
                other.setUseClientMode(true);
                EngineChannel engineChannel = new EngineChannel(other, channel);
                engineChannel.handshake();
                assertArrayEquals(readyContent.sessionId(), other.getSession().getId());
            }
            assertEquals(SSLEngineResult.HandshakeStatus.NEED_TASK, waiting.getHandshakeStatus(), "still waiting");

            keyServerAnswers.countDown();
            task.get(30, TimeUnit.SECONDS);
            assertEquals(SSLEngineResult.HandshakeStatus.NEED_WRAP, waiting.getHandshakeStatus());
            SSLEngineResult hello = waiting.wrap(ByteBuffer.allocate(0), out);
            assertTrue(hello.bytesProduced() > 0, "no ClientHello after the lookup");
        }
    }

    @Test
    void anAssociationFoundByTheTaskIsOfferedAndResumed() throws Exception {
        InMemoryAssociations serverAgent = new InMemoryAssociations();
        try (EchoServer server = EchoServer.start(SipTlsContexts.server(serverAgent,
                TestPki.keyManager(TestPki.SERVER)))) {
            Associations content = Associations.fresh();
            serverAgent.serving(content.forServerAt(server.port()));
            CountDownLatch open = new CountDownLatch(0);
            SSLContext client = SipTlsContexts.client(waitingFor(server.port(), open, content.forServerAt(server.port())));

            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress("localhost", server.port()))) {
                SSLEngine engine = client.createSSLEngine("localhost", server.port());
                engine.setUseClientMode(true);
                EngineChannel engineChannel = new EngineChannel(engine, channel); // runs the task inline, as Netty does by default
                engineChannel.handshake();
                engineChannel.write("over a task\n".getBytes(StandardCharsets.UTF_8));

                assertEquals("echo: over a task\n", new String(engineChannel.read(), StandardCharsets.UTF_8));
                assertArrayEquals(content.sessionId(), engine.getSession().getId());
            }
        }
    }
}
