package dev.siptls.provider.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.SipTlsProviderMXBean;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A man in the middle between a SIP-TLS client and server tampers with the client's ClientHello. */
class Tls13MitmSystemTest {

    static SipTlsWorld world;

    @BeforeAll
    static void world() throws Exception {
        world = new SipTlsWorld(Files.createTempDirectory("mitm"));
    }

    @AfterAll
    static void close() {
        world.close();
    }

    /** Renames extension {@code type} in the first ClientHello record (lengths unchanged). */
    static UnaryOperator<byte[]> rename(int type) {
        return rec -> {
            int p = 5 + 4 + 2 + 32;
            p += 1 + (rec[p] & 0xff);
            p += 2 + (((rec[p] & 0xff) << 8) | (rec[p + 1] & 0xff));
            p += 1 + (rec[p] & 0xff);
            int end = p + 2 + (((rec[p] & 0xff) << 8) | (rec[p + 1] & 0xff));
            p += 2;
            while (p < end) {
                int et = ((rec[p] & 0xff) << 8) | (rec[p + 1] & 0xff);
                int el = ((rec[p + 2] & 0xff) << 8) | (rec[p + 3] & 0xff);
                if (et == type) {
                    rec[p] = (byte) 0xfa;
                    rec[p + 1] = (byte) 0x7a;
                }
                p += 4 + el;
            }
            return rec;
        };
    }

    /** Listens on 127.0.0.1:port, forwards to 127.0.0.2:port, tampering with the client's first record. */
    static ServerSocket proxy(int port, UnaryOperator<byte[]> tamper) throws Exception {
        ServerSocket ss = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket c = ss.accept();
                    Socket s = new Socket(InetAddress.getByName("127.0.0.2"), port);
                    Thread up = new Thread(() -> {
                        try (c; s) {
                            InputStream in = c.getInputStream();
                            byte[] h = in.readNBytes(5);
                            int len = ((h[3] & 0xff) << 8) | (h[4] & 0xff);
                            byte[] rec = new byte[5 + len];
                            System.arraycopy(h, 0, rec, 0, 5);
                            System.arraycopy(in.readNBytes(len), 0, rec, 5, len);
                            s.getOutputStream().write(tamper.apply(rec));
                            in.transferTo(s.getOutputStream());
                        } catch (Exception e) {
                            // closed
                        }
                    });
                    Thread down = new Thread(() -> {
                        try {
                            s.getInputStream().transferTo(c.getOutputStream());
                        } catch (Exception e) {
                            // closed
                        }
                    });
                    up.setDaemon(true);
                    down.setDaemon(true);
                    up.start();
                    down.start();
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return ss;
    }

    record Run(String outcome, String client, String server) {
    }

    static String counters(SipTlsProviderMXBean s, boolean client) {
        return client
                ? "sip13=" + s.getSipTls13HandshakesAsClient() + " full=" + s.getFullHandshakesAsClient()
                        + " declined=" + s.getDeclinedAssociations() + " requests=" + s.getAssociationRequests()
                        + " fallbacks=" + s.getFallbacksByReason()
                : "sip13=" + s.getSipTls13HandshakesAsServer() + " full=" + s.getFullHandshakesAsServer()
                        + " fallbacks=" + s.getFallbacksByReason();
    }

    static Run through(String name, UnaryOperator<byte[]> tamper, Map<String, String> clientConfig) throws Exception {
        int port = SipTlsWorld.freePort();
        SipTlsWorld.Terminal server = world.server(port, Map.of("serve", "localhost:" + port));
        SipTlsWorld.Terminal client = world.client(clientConfig);
        SipTlsWorld.awaitRegistered(server, client);
        SSLServerSocket listening = (SSLServerSocket) server.context().getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getByName("127.0.0.2"));
        EchoServerOn echo = new EchoServerOn(listening);
        ServerSocket mitm = proxy(port, tamper);
        StringBuilder outcome = new StringBuilder();
        try {
            for (int i = 0; i < 3; i++) {
                try {
                    EchoClient.Exchange e = EchoClient.exchange(client.context(), "localhost", port, "x");
                    outcome.append(i).append(": ").append(e.session().getProtocol()).append(' ')
                            .append(e.session().getCipherSuite()).append(" peerCerts=")
                            .append(certs(e.session())).append("; ");
                } catch (Exception e) {
                    outcome.append(i).append(": ").append(e).append("; ");
                }
            }
        } finally {
            mitm.close();
            listening.close();
        }
        Thread.sleep(300);
        Run run = new Run(outcome.toString(), counters(client.provider().statistics(), true),
                counters(server.provider().statistics(), false));
        System.out.println("[mitm] " + name + ": " + run);
        return run;
    }

    static String certs(javax.net.ssl.SSLSession s) {
        try {
            return String.valueOf(s.getPeerCertificates().length);
        } catch (Exception e) {
            return "none";
        }
    }

    /** Minimal accept loop: handshake, echo one line. */
    static final class EchoServerOn {
        EchoServerOn(SSLServerSocket ss) {
            Thread t = new Thread(() -> {
                while (!ss.isClosed()) {
                    try {
                        javax.net.ssl.SSLSocket c = (javax.net.ssl.SSLSocket) ss.accept();
                        Thread w = new Thread(() -> {
                            try (c) {
                                c.setSoTimeout(5000);
                                int b;
                                StringBuilder line = new StringBuilder();
                                InputStream in = c.getInputStream();
                                while ((b = in.read()) != -1 && b != '\n') {
                                    line.append((char) b);
                                }
                                OutputStream out = c.getOutputStream();
                                out.write(("echo: " + line + "\n").getBytes());
                                out.flush();
                            } catch (Exception e) {
                                // failed
                            }
                        });
                        w.setDaemon(true);
                        w.start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }
    }

    @Test
    void passThroughControlResumesTls13() throws Exception {
        Run run = through("pass-through", r -> r, Map.of());
        assertTrue(run.client().startsWith("sip13=3 full=0 declined=0"), run.toString());
    }

    @Test
    void strippingSupportedVersionsNeverYieldsASilentTls12OrFullHandshake() throws Exception {
        Run run = through("strip supported_versions", rename(0x002b), Map.of());
        assertFalse(run.outcome().contains("TLSv1.2"), run.toString());
        assertFalse(run.outcome().contains("peerCerts="), "no connection completes: " + run);
    }

    @Test
    void droppingPreSharedKeyNeverYieldsASilentFullHandshake() throws Exception {
        Run run = through("drop pre_shared_key", rename(0x0029), Map.of());
        assertFalse(run.outcome().contains("peerCerts="), "no connection completes: " + run);
    }

    @Test
    void droppingPskModesNeverYieldsASilentFullHandshake() throws Exception {
        Run run = through("drop psk_key_exchange_modes", rename(0x002d), Map.of());
        assertFalse(run.outcome().contains("peerCerts="), "no connection completes: " + run);
    }

    @Test
    void strippingSupportedVersionsUnderFallbackFail() throws Exception {
        Run run = through("strip supported_versions, fallback=fail", rename(0x002b), Map.of("fallback", "fail"));
        assertFalse(run.outcome().contains("peerCerts="), run.toString());
    }

    @Test
    void expiredSaIsNotSelectedByTheServer() throws Exception {
        int port = SipTlsWorld.freePort();
        SipTlsWorld.Terminal server = world.server(port, Map.of("serve", "localhost:" + port + ",127.0.0.1:" + port));
        SipTlsWorld.Terminal client = world.client(Map.of("maxLifetime", "6s"));
        SipTlsWorld.awaitRegistered(server, client);
        try (EchoServer echo = EchoServer.start(server.context(), port)) {
            EchoClient.Exchange e = EchoClient.exchange(client.context(), "localhost", port, "x");
            SecurityAssociation sa = client.provider().associations().bySessionId(e.session().getId()).orElseThrow();
            System.out.println("[expiry] SA lifetime " + sa.lifetime() + " " + e.session().getProtocol());
            byte[] identity = sa.pskIdentity().clone();
            byte[] psk = sa.masterSecret().clone();
            RawHello live = new RawHello();
            live.identities.add(identity);
            live.psk = psk;
            RawHello.Answer a = RawHello.send(port, live.records(), null, 5000);
            System.out.println("[expiry] live SA, right binder: " + a);
            Thread.sleep(sa.expiryTime().toEpochMilli() - System.currentTimeMillis() + 1000);
            RawHello.Answer b = RawHello.send(port, live.records(), null, 5000);
            System.out.println("[expiry] expired SA (+1 s), right binder: " + b + " | "
                    + counters(server.provider().statistics(), false));
            assertTrue(a.pskSelected(), a.toString());
            assertFalse(b.pskSelected(), "an expired SA is not selected: " + b);
            EchoClient.Exchange again = EchoClient.exchange(client.context(), "localhost", port, "x");
            System.out.println("[expiry] client after expiry: " + again.session().getProtocol() + " "
                    + counters(client.provider().statistics(), true));
        }
    }

    @Test
    void clientSaOfferedToTheSameAgentsServerSide() throws Exception {
        int port = SipTlsWorld.freePort();
        int other = SipTlsWorld.freePort();
        SipTlsWorld.Terminal s1 = world.server(other, Map.of());
        // a terminal that is both a TLS server (port) and a client of s1
        SipTlsWorld.Terminal both = world.server(port, Map.of());
        SipTlsWorld.awaitRegistered(s1, both);
        try (EchoServer e1 = EchoServer.start(s1.context(), other); EchoServer e2 = EchoServer.start(both.context(), port)) {
            EchoClient.Exchange e = EchoClient.exchange(both.context(), "localhost", other, "x");
            SecurityAssociation sa = both.provider().associations().bySessionId(e.session().getId()).orElseThrow();
            RawHello h = new RawHello();
            h.identities.add(sa.pskIdentity().clone());
            h.psk = sa.masterSecret().clone();
            RawHello.Answer a = RawHello.send(port, h.records(), null, 5000);
            System.out.println("[role] client SA of 'both' offered to its own server port: " + a + " | "
                    + counters(both.provider().statistics(), false));
            assertFalse(a.pskSelected(), a.toString());
            // self-connection: the terminal's client to its own server
            try {
                EchoClient.Exchange self = EchoClient.exchange(both.context(), "localhost", port, "x");
                System.out.println("[role] self connection: " + self.session().getProtocol() + " id="
                        + Evidence.hex(self.session().getId()) + " | client " + counters(both.provider().statistics(), true));
            } catch (Exception x) {
                System.out.println("[role] self connection failed: " + x);
            }
        }
    }
}
