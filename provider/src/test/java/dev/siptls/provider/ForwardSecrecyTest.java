package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.siptls.protocol.SecurityAssociation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.bouncycastle.tls.crypto.TlsECDomain;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Forward secrecy of a TLS 1.3 PSK association, shown: a recorded connection between two PSK engines, and the
 * key server, who knows the PSK and its identity exactly, runs the RFC 8446 key schedule without the (EC)DHE
 * secret (the zero secret) and cannot open the records; the same code with the real x25519 shared secret (taken
 * from the client's crypto, which the key server never sees) opens the first application data record. A TLS 1.2
 * connection resumed with an SA, by contrast, opens with the SA's master secret alone.
 */
class ForwardSecrecyTest {

    private static final byte[] MESSAGE = "MESSAGE sip:bob@example.org SIP/2.0\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @CsvSource({"TLS_AES_128_GCM_SHA256, 32", "TLS_AES_256_GCM_SHA384, 48"})
    void theKeyServerCannotDecryptARecordedPskConnection(String suiteName, int keyLength) throws Exception {
        Tls13Suite suite = Tls13Suite.named(suiteName).orElseThrow();
        byte[] key = PskEnginePair.randomKey(keyLength);
        CapturingCrypto clientCrypto = new CapturingCrypto();
        Tls13PskEngine client = Tls13PskEngine.client(PskEnginePair.psk(PskEnginePair.IDENTITY, key, suiteName), null,
                "server.example.org", 5061, clientCrypto);
        Tls13PskEngine server = PskEnginePair.server(PskEnginePair.psk(PskEnginePair.IDENTITY, key, suiteName), null);
        Recording recording = record(client, server);
        assertNotNull(clientCrypto.sharedSecret, "the client computed an x25519 shared secret");
        assertEquals(32, clientCrypto.sharedSecret.length);

        List<Tls13Decryptor.Record> toServer = Tls13Decryptor.records(recording.toServer.toByteArray());
        List<Tls13Decryptor.Record> toClient = Tls13Decryptor.records(recording.toClient.toByteArray());
        Tls13Decryptor keyServer = new Tls13Decryptor(suite, key);
        byte[] noDhe = new byte[keyLength];

        // Positive control: with the (EC)DHE secret the same code opens the handshake and the application data.
        byte[] serverHandshake = keyServer.serverEncryptedHandshake(toClient, toServer, clientCrypto.sharedSecret);
        byte[] transcript = Tls13Decryptor.transcript(toClient, toServer, serverHandshake);
        assertArrayEquals(MESSAGE, keyServer.firstClientApplicationData(toServer, transcript,
                clientCrypto.sharedSecret));

        // The key server: the PSK, the identity and the recording, but no (EC)DHE secret.
        assertThrows(AEADBadTagException.class, () -> keyServer.serverEncryptedHandshake(toClient, toServer, noDhe));
        // Even handed the handshake's plaintext, it cannot open the application data.
        assertThrows(AEADBadTagException.class,
                () -> keyServer.firstClientApplicationData(toServer, transcript, noDhe));
    }

    /**
     * The TLS 1.2 path for comparison: a connection that resumes with an SA (BCJSSE engines of SIP-TLS contexts)
     * is opened by anyone who holds the SA's master secret, as the key server does.
     */
    @Test
    void theKeyServerCanDecryptARecordedTls12AssociationConnection() throws Exception {
        int port = 5061;
        Associations content = Associations.fresh();
        SecurityAssociation serverCopy = content.forServerAt(port);
        byte[] masterSecret = serverCopy.masterSecret();
        SSLContext serverContext = SipTlsContexts.server(new InMemoryAssociations().serving(serverCopy),
                TestPki.keyManager(TestPki.SERVER));
        SSLContext clientContext = SipTlsContexts.client(new InMemoryAssociations()
                .offering("localhost", port, content.forServerAt(port)));
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = clientContext.createSSLEngine("localhost", port);
        client.setUseClientMode(true);

        Recording recording = record(client, server);
        assertArrayEquals(content.sessionId(), client.getSession().getId(), "resumed with the SA");
        assertEquals("TLSv1.2", client.getSession().getProtocol());

        byte[] opened = new Tls12Decryptor(masterSecret).firstClientApplicationData(
                Tls13Decryptor.records(recording.toServer.toByteArray()),
                Tls13Decryptor.records(recording.toClient.toByteArray()));
        assertArrayEquals(MESSAGE, opened);
    }

    /** The bytes each way of a handshake, then the MESSAGE from client to server and a reply. */
    private static Recording record(SSLEngine client, SSLEngine server) throws IOException {
        Recording recording = new Recording();
        ByteBuffer toServer = ByteBuffer.allocate(1 << 16);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 16);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 10; round++) {
            pump(client, toClient, toServer, recording.toServer);
            pump(server, toServer, toClient, recording.toClient);
        }
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, client.getHandshakeStatus());
        assertEquals(HandshakeStatus.NOT_HANDSHAKING, server.getHandshakeStatus());
        wrap(client, ByteBuffer.wrap(MESSAGE), toServer, recording.toServer);
        toServer.flip();
        ByteBuffer received = ByteBuffer.allocate(1 << 15);
        server.unwrap(toServer, received);
        assertArrayEquals(MESSAGE, java.util.Arrays.copyOf(received.array(), received.position()));
        wrap(server, ByteBuffer.wrap("SIP/2.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), toClient,
                recording.toClient);
        return recording;
    }

    private static void pump(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteArrayOutputStream sent)
            throws SSLException {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            wrap(engine, ByteBuffer.allocate(0), out, sent);
        }
        in.flip();
        while (in.hasRemaining() && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            engine.unwrap(in, ByteBuffer.allocate(1 << 15));
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
        }
        in.compact();
    }

    private static SSLEngineResult wrap(SSLEngine engine, ByteBuffer src, ByteBuffer out, ByteArrayOutputStream sent)
            throws SSLException {
        int before = out.position();
        SSLEngineResult result = engine.wrap(src, out);
        sent.write(out.array(), before, out.position() - before);
        return result;
    }

    private static final class Recording {
        final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
        final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
    }

    /** BC's crypto, keeping a copy of the (EC)DHE shared secret it computes: what only the peers know. */
    private static final class CapturingCrypto extends BcTlsCrypto {
        volatile byte[] sharedSecret;

        CapturingCrypto() {
            super(PskEnginePair.RANDOM);
        }

        @Override
        public TlsECDomain createECDomain(TlsECConfig config) {
            TlsECDomain domain = super.createECDomain(config);
            return () -> {
                TlsAgreement agreement = domain.createECDH();
                return new TlsAgreement() {
                    @Override
                    public byte[] generateEphemeral() throws IOException {
                        return agreement.generateEphemeral();
                    }

                    @Override
                    public void receivePeerValue(byte[] peerValue) throws IOException {
                        agreement.receivePeerValue(peerValue);
                    }

                    @Override
                    public TlsSecret calculateSecret() throws IOException {
                        byte[] secret = agreement.calculateSecret().extract();
                        sharedSecret = secret.clone();
                        return createSecret(secret);
                    }
                };
            };
        }
    }
}
