package dev.siptls.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/** TLS 1.3 PSK engines for tests, and an in-memory pipe that pumps two engines as JSSE applications do. */
final class PskEnginePair {

    static final SecureRandom RANDOM = new SecureRandom();
    static final byte[] IDENTITY = "sa-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private PskEnginePair() {
    }

    static byte[] randomKey(int length) {
        byte[] key = new byte[length];
        RANDOM.nextBytes(key);
        return key;
    }

    static ExternalPsk psk(byte[] identity, byte[] key, String suite) {
        return new ExternalPsk(identity, key, suite, List.of(), List.of(), System.currentTimeMillis());
    }

    static ExternalPsk psk(byte[] key, String suite, List<X509Certificate> peer, List<X509Certificate> local) {
        return new ExternalPsk(IDENTITY, key, suite, peer, local, 1_700_000_000_000L);
    }

    static Tls13PskEngine client(ExternalPsk psk, SSLParameters parameters) {
        return Tls13PskEngine.client(psk, parameters, "server.example.org", 5061, new BcTlsCrypto(RANDOM));
    }

    static Tls13PskEngine server(ExternalPsk psk, SSLParameters parameters) {
        return Tls13PskEngine.server(psk, parameters, "client.example.org", 40000, new BcTlsCrypto(RANDOM), null);
    }

    /** Two engines joined by two in-memory buffers; counts the FINISHED results each engine gives. */
    static final class Pipe {
        final SSLEngine client;
        final SSLEngine server;
        final ByteBuffer toServer = ByteBuffer.allocate(1 << 18);
        final ByteBuffer toClient = ByteBuffer.allocate(1 << 18);
        int clientFinished;
        int serverFinished;

        Pipe(SSLEngine client, SSLEngine server) {
            this.client = client;
            this.server = server;
        }

        /** Runs the handshake to the end; throws what an engine throws. */
        void handshake() throws SSLException {
            client.beginHandshake();
            server.beginHandshake();
            for (int round = 0; round < 20; round++) {
                step(client, toClient, toServer, true);
                step(server, toServer, toClient, false);
                if (idle(client) && idle(server) && toServer.position() == 0 && toClient.position() == 0) {
                    return;
                }
            }
            throw new AssertionError("the handshake did not finish");
        }

        private static boolean idle(SSLEngine engine) {
            return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
        }

        /** Wraps while the engine asks to, then unwraps what has arrived while it asks to. */
        void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, boolean isClient) throws SSLException {
            ByteBuffer app = ByteBuffer.allocate(1 << 15);
            HandshakeStatus status = runTasks(engine);
            while (status == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
                count(result, isClient);
                status = result.getHandshakeStatus() == HandshakeStatus.NEED_TASK ? runTasks(engine)
                        : result.getHandshakeStatus();
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    break;
                }
            }
            in.flip();
            try {
                while (in.hasRemaining() && status == HandshakeStatus.NEED_UNWRAP) {
                    SSLEngineResult result = engine.unwrap(in, app);
                    count(result, isClient);
                    status = result.getHandshakeStatus() == HandshakeStatus.NEED_TASK ? runTasks(engine)
                            : result.getHandshakeStatus();
                    if (result.getStatus() != SSLEngineResult.Status.OK) {
                        break;
                    }
                }
            } finally {
                in.compact();
            }
        }

        /** SunJSSE, as a peer, delegates tasks. */
        private static HandshakeStatus runTasks(SSLEngine engine) {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
            return engine.getHandshakeStatus();
        }

        private void count(SSLEngineResult result, boolean isClient) {
            if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                if (isClient) {
                    clientFinished++;
                } else {
                    serverFinished++;
                }
            }
        }

        /** Sends {@code data} from one engine to the other, wrap by wrap, and returns what the other unwraps. */
        static byte[] send(SSLEngine from, SSLEngine to, byte[] data, ByteBuffer wire) throws SSLException {
            ByteBuffer src = ByteBuffer.wrap(data);
            int records = 0;
            while (src.hasRemaining()) {
                SSLEngineResult result = from.wrap(src, wire);
                assertEquals(SSLEngineResult.Status.OK, result.getStatus());
                assertTrue(result.bytesConsumed() <= 1 << 14, "one record per wrap");
                records++;
            }
            assertTrue(records >= (data.length + (1 << 14) - 1) >> 14);
            wire.flip();
            ByteBuffer received = ByteBuffer.allocate(data.length + (1 << 14));
            while (wire.hasRemaining()) {
                int before = wire.position();
                SSLEngineResult result = to.unwrap(wire, received);
                assertEquals(SSLEngineResult.Status.OK, result.getStatus());
                assertEquals(wire.position() - before, result.bytesConsumed());
            }
            wire.compact();
            byte[] out = new byte[received.position()];
            received.flip().get(out);
            return out;
        }
    }
}
