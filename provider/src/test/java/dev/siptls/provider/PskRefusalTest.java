package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.tls.PskKeyExchangeMode;
import org.bouncycastle.tls.TlsClientProtocol;
import org.junit.jupiter.api.Test;

/**
 * Handshakes a PSK server engine must refuse (forged binder, unknown identity, {@code psk_ke} only, no PSK), the
 * server's PSK surviving each; and a client whose server would not use the PSK.
 */
class PskRefusalTest {

    private static final String SUITE = "TLS_AES_128_GCM_SHA256";

    @Test
    void refusesAForgedBinderAndLaterCompletesWithTheSamePsk() throws Exception {
        ExternalPsk held = PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32), SUITE);
        ExternalPsk forged = PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32), SUITE);
        Tls13PskEngine server = PskEnginePair.server(held, null);
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(PskEnginePair.client(forged, null), server);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, pipe::handshake);
        assertTrue(e.getMessage().contains("decrypt_error"), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (ExternalPsk psk : java.util.List.of(held, forged)) {
                String hex = java.util.HexFormat.of().formatHex(psk.key());
                assertFalse(String.valueOf(t).toLowerCase().contains(hex.substring(0, 16)), "no key in " + t);
            }
        }
        assertSame(e, server.handshakeFailure());
        assertAlertSentThenClosed(server, pipe);

        completesWith(held);
    }

    @Test
    void refusesAnUnknownIdentityAndLaterCompletesWithTheSamePsk() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        ExternalPsk held = PskEnginePair.psk(PskEnginePair.IDENTITY, key, SUITE);
        ExternalPsk other = PskEnginePair.psk("another-sa".getBytes(StandardCharsets.US_ASCII), key, SUITE);
        Tls13PskEngine server = PskEnginePair.server(held, null);
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(PskEnginePair.client(other, null), server);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, pipe::handshake);
        assertTrue(e.getMessage().contains("no PSK identity this server holds"), e.getMessage());
        assertAlertSentThenClosed(server, pipe);

        completesWith(held);
    }

    @Test
    void refusesAClientOfferingOnlyPskKe() throws Exception {
        byte[] key = PskEnginePair.randomKey(32);
        ExternalPsk held = PskEnginePair.psk(PskEnginePair.IDENTITY, key, SUITE);
        Tls13PskEngine server = PskEnginePair.server(held, null);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> runRawClient(new RawPskClient(PskEnginePair.IDENTITY, key, PskKeyExchangeMode.psk_ke)
                        .acceptingCertificates(), server));
        assertTrue(e.getMessage().contains("psk_dhe_ke"), e.getMessage());
        assertFalse(server.handshakeComplete());

        completesWith(held);
    }

    @Test
    void refusesAClientHelloWithoutAPsk() throws Exception {
        ExternalPsk held = PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32), SUITE);
        Tls13PskEngine server = PskEnginePair.server(held, null);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> runRawClient(new RawPskClient(PskEnginePair.IDENTITY, null).acceptingCertificates(), server));
        assertTrue(e.getMessage().contains("offers no PSK"), e.getMessage());

        completesWith(held);
    }

    /**
     * A server that ignores the PSK (SunJSSE with a certificate) is a declined SA for a client that cannot fall back
     * to a full handshake (no trust manager: {@code PskFallbackTest} has the client that can).
     */
    @Test
    void clientFailsWithPskDeclinedWhenTheServerUsesCertificates() throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3", "SunJSSE");
        context.init(new KeyManager[] {TestPki.keyManager(TestPki.SERVER)}, null, null);
        SSLEngine server = context.createSSLEngine();
        server.setUseClientMode(false);
        Tls13PskEngine client = PskEnginePair.client(
                PskEnginePair.psk(PskEnginePair.IDENTITY, PskEnginePair.randomKey(32), SUITE), null);
        PskEnginePair.Pipe pipe = new PskEnginePair.Pipe(client, server);

        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, pipe::handshake);
        assertInstanceOf(PskDeclinedException.class, e);
        assertEquals("the server did not accept the SIP-TLS PSK", e.getMessage());
        assertSame(e, client.handshakeFailure());
    }

    private static void completesWith(ExternalPsk held) throws SSLException {
        assertFalse(held.isDestroyed());
        Tls13PskEngine server = PskEnginePair.server(held, null);
        Tls13PskEngine client = PskEnginePair.client(
                new ExternalPsk(held.identity(), held.key(), SUITE, java.util.List.of(), java.util.List.of(), 0L),
                null);
        new PskEnginePair.Pipe(client, server).handshake();
        assertTrue(server.handshakeComplete() && client.handshakeComplete());
    }

    /** After the exception, the next wrap carries the fatal alert and says CLOSED; the client then fails too. */
    private static void assertAlertSentThenClosed(Tls13PskEngine server, PskEnginePair.Pipe pipe) throws SSLException {
        assertEquals(SSLEngineResult.HandshakeStatus.NEED_WRAP, server.getHandshakeStatus());
        SSLEngineResult alert = server.wrap(ByteBuffer.allocate(0), pipe.toClient);
        assertEquals(SSLEngineResult.Status.CLOSED, alert.getStatus());
        assertEquals(7, alert.bytesProduced(), "one plaintext alert record");
        assertTrue(server.isInboundDone() && server.isOutboundDone());
        pipe.toClient.flip();
        SSLException clientSide = assertThrows(SSLException.class,
                () -> pipe.client.unwrap(pipe.toClient, ByteBuffer.allocate(1 << 14)));
        assertTrue(clientSide.getMessage().startsWith("Received fatal alert"), clientSide.getMessage());
    }

    /** Drives BC's own client, as a raw peer the engine does not shape, against {@code server}. */
    private static void runRawClient(RawPskClient rawClient, SSLEngine server) throws IOException {
        TlsClientProtocol protocol = new TlsClientProtocol();
        protocol.connect(rawClient);
        ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
        server.beginHandshake();
        for (int round = 0; round < 10 && !protocol.isClosed(); round++) {
            byte[] out = new byte[protocol.getAvailableOutputBytes()];
            protocol.readOutput(out, 0, out.length);
            toServer.put(out).flip();
            while (toServer.hasRemaining()) {
                server.unwrap(toServer, ByteBuffer.allocate(1 << 14));
            }
            toServer.clear();
            while (server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                server.wrap(ByteBuffer.allocate(0), toClient);
            }
            toClient.flip();
            byte[] in = new byte[toClient.remaining()];
            toClient.get(in).clear();
            if (in.length > 0) {
                protocol.offerInput(in);
            }
        }
    }

}
