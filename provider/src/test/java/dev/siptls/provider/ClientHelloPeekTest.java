package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.tls.PskKeyExchangeMode;
import org.bouncycastle.tls.TlsClientProtocol;
import org.junit.jupiter.api.Test;

/** The server's look at a ClientHello, on hellos real TLS clients wrote. */
class ClientHelloPeekTest {

    private static final byte[] IDENTITY = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aTls13HelloWithAnExternalPskNamesItsIdentity() throws IOException {
        byte[] hello = pskHello(new short[] {PskKeyExchangeMode.psk_dhe_ke});
        ByteBuffer buffer = ByteBuffer.wrap(hello);

        ClientHelloPeek.Result result = ClientHelloPeek.peek(buffer);

        assertEquals(ClientHelloPeek.Verdict.PSK, result.verdict());
        assertEquals(1, result.identities().size());
        assertArrayEquals(IDENTITY, result.identities().get(0));
        assertTrue(result.dheOffered());
        assertEquals("server.example", result.serverName());
        assertEquals(0, buffer.position(), "peeking consumes nothing");
    }

    @Test
    void aHelloThatOffersOnlyPskKeSaysSo() throws IOException {
        ClientHelloPeek.Result result = ClientHelloPeek.peek(ByteBuffer.wrap(pskHello(
                new short[] {PskKeyExchangeMode.psk_ke})));

        assertEquals(ClientHelloPeek.Verdict.PSK, result.verdict());
        assertFalse(result.dheOffered());
    }

    @Test
    void everyPrefixOfAHelloAsksForMore() throws IOException {
        byte[] hello = pskHello(new short[] {PskKeyExchangeMode.psk_dhe_ke});
        for (int n = 0; n < hello.length; n++) {
            assertEquals(ClientHelloPeek.Verdict.NEED_MORE,
                    ClientHelloPeek.peek(ByteBuffer.wrap(hello, 0, n)).verdict(), "prefix of " + n);
        }
    }

    @Test
    void aHelloSplitOverTwoRecordsIsReadWhole() throws IOException {
        byte[] hello = pskHello(new short[] {PskKeyExchangeMode.psk_dhe_ke});
        int body = hello.length - 5;
        int first = body / 3;
        ByteBuffer split = ByteBuffer.allocate(hello.length + 5);
        split.put(hello, 0, 3).putShort((short) first).put(hello, 5, first);
        split.put(hello, 0, 3).putShort((short) (body - first)).put(hello, 5 + first, body - first);
        split.flip();

        ClientHelloPeek.Result result = ClientHelloPeek.peek(split);

        assertEquals(ClientHelloPeek.Verdict.PSK, result.verdict());
        assertArrayEquals(IDENTITY, result.identities().get(0));
        assertEquals(ClientHelloPeek.Verdict.NEED_MORE,
                ClientHelloPeek.peek(ByteBuffer.wrap(split.array(), 0, 5 + first + 5)).verdict());
    }

    @Test
    void helloWithoutPskAndOtherBytesAreNotPskHellos() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(null, null, null);
            SSLEngine engine = context.createSSLEngine("localhost", 443);
            engine.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            assertEquals(ClientHelloPeek.Verdict.OTHER, ClientHelloPeek.peek(out.flip()).verdict(), protocol);
        }
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ClientHelloPeek.Verdict.OTHER, ClientHelloPeek.peek(ByteBuffer.wrap(http)).verdict());
    }

    @Test
    void truncatedOrCorruptedHellosAreNeverPskHellosByAccident() throws IOException {
        byte[] hello = pskHello(new short[] {PskKeyExchangeMode.psk_dhe_ke});
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 2000; i++) {
            byte[] damaged = hello.clone();
            int at = 5 + random.nextInt(hello.length - 5);
            damaged[at] ^= (byte) (1 + random.nextInt(255));
            ClientHelloPeek.Result result = ClientHelloPeek.peek(ByteBuffer.wrap(damaged));
            if (result.verdict() == ClientHelloPeek.Verdict.PSK) {
                // only a byte inside the identity itself, the ticket age or the binders can leave it a PSK hello
                assertEquals(1, result.identities().size());
            }
        }
        byte[] claimsTooMuch = hello.clone();
        claimsTooMuch[6] = (byte) 0x7F; // handshake length far above the record's
        assertEquals(ClientHelloPeek.Verdict.OTHER, ClientHelloPeek.peek(ByteBuffer.wrap(claimsTooMuch)).verdict());
    }

    /** The first flight of a BC client that offers one external PSK with these modes. */
    private static byte[] pskHello(short[] modes) throws IOException {
        TlsClientProtocol protocol = new TlsClientProtocol();
        protocol.connect(new RawPskClient(IDENTITY, new byte[32], modes).serverName("server.example"));
        byte[] out = new byte[protocol.getAvailableOutputBytes()];
        protocol.readOutput(out, 0, out.length);
        return out;
    }
}
