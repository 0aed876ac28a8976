package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siptls.provider.system.SipTlsWorld.Terminal;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server counts each full handshake under the reason of that connection, not of an earlier handshake that ran on
 * the same thread: here one thread first resumes an SA, then serves a client that offered no session at all.
 */
@Timeout(60)
@ExtendWith(SharedWorld.class)
class ServerFallbackReasonSystemTest {

    @Test
    void aFullHandshakeAfterAResumptionOnTheSameThreadIsCountedForItsOwnReason(SipTlsWorld world) throws Exception {
        int port = SipTlsWorld.freePort();
        Terminal server = world.server(port, Map.of());
        Terminal client = world.client(Map.of());
        SipTlsWorld.awaitRegistered(server, client);
        // TLS 1.2 only: a TLS 1.3 client would send a random session id (middlebox compatibility)
        SSLContext plain = SSLContext.getInstance("TLSv1.2", "SunJSSE");
        plain.init(null, world.trustingCa(), null);
        try (SSLServerSocket listener = (SSLServerSocket) server.context().getServerSocketFactory()
                .createServerSocket(port, 4, InetAddress.getLoopbackAddress())) {
            handshakeOnThisThread(listener, client.context());
            assertEquals(Map.of(), server.provider().statistics().getFallbacksByReason());

            handshakeOnThisThread(listener, plain);

            assertEquals(Map.of("client-offered-none", 1L), server.provider().statistics().getFallbacksByReason());
        }
    }

    /** A client connects from another thread; the server's handshake runs on this one. */
    private static void handshakeOnThisThread(SSLServerSocket listener, SSLContext clientContext) throws Exception {
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(() -> {
            try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                    .createSocket("localhost", listener.getLocalPort())) {
                socket.startHandshake();
                socket.getOutputStream().write(1);
                socket.getInputStream().read();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (SSLSocket accepted = (SSLSocket) listener.accept()) {
            accepted.startHandshake();
            accepted.getInputStream().read();
            accepted.getOutputStream().write(2);
            accepted.getOutputStream().flush();
        }
        connecting.join();
    }
}
