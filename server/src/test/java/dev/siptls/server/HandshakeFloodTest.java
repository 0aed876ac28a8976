package dev.siptls.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.agent.SipTlsAgent;
import dev.siptls.protocol.HostPort;
import dev.siptls.protocol.SecurityAssociation;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Registered agents keep being served while the key server's port is flooded: about 200 connections at a time
 * in their TLS handshake, some completing it with an enrolled certificate, some sending garbage, some half a
 * ClientHello and then nothing, some nothing at all. Every SA request of a real agent pair must complete; the
 * overall deadline is only a guard against a hang, not a latency bound. Afterwards the flood leaves nothing
 * behind.
 */
class HandshakeFloodTest {

    private static final int FLOOD = 200;
    private static final int REQUESTS = 20;
    private static final HostPort WWW = new HostPort("www.example.com", 8443);

    @Test
    void registeredAgentsCompleteTheirSaRequestsDuringAHandshakeFlood() throws Exception {
        try (Fixture f = new Fixture(b -> b.handshakeTimeout(Duration.ofSeconds(2)).maxMessageSize(16 * 1024)
                .maxQueuedBytes(64 * 1024));
                SipTlsAgent alice = agent(f, "sip:alice@example.com", f.clientPolicy(), null);
                SipTlsAgent bob = agent(f, "sip:bob@example.com", f.serverPolicy(WWW),
                        f.tlsServer(WWW.host()).privateKey())) {
            assertTrue(alice.awaitRegistered(Duration.ofSeconds(30)) && bob.awaitRegistered(Duration.ofSeconds(30)));
            long baseline = f.server.statistics().getOpenConnections();

            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicInteger opened = new AtomicInteger();
            ExecutorService flood = Executors.newFixedThreadPool(8);
            Deque<Socket> held = new ArrayDeque<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                flood.execute(() -> flood(f, seed, flooding, opened, held));
            }
            int completed = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            try {
                Polling.until(() -> opened.get() >= FLOOD / 2);
                for (int i = 0; i < REQUESTS && System.nanoTime() < deadline; i++) {
                    SecurityAssociation sa = alice.requestAssociation("sip:bob@example.com").get(60, TimeUnit.SECONDS);
                    assertTrue(bob.associations().bySessionId(sa.sessionId()).isPresent());
                    completed++;
                }
            } finally {
                flooding.set(false);
                flood.shutdown();
                assertTrue(flood.awaitTermination(60, TimeUnit.SECONDS));
                synchronized (held) {
                    for (Socket s : held) {
                        s.close();
                    }
                }
            }
            System.out.printf("%d SA requests completed during a flood of %d connections%n", completed, opened.get());
            assertEquals(REQUESTS, completed);
            assertTrue(opened.get() >= FLOOD, "the flood opened only " + opened.get() + " connections");

            Polling.until(() -> f.server.statistics().getOpenConnections() == baseline);
            assertEquals(2, f.server.statistics().getCurrentRegistrations());
            SecurityAssociation after = alice.requestAssociation("sip:bob@example.com").get(60, TimeUnit.SECONDS);
            assertTrue(bob.associations().bySessionId(after.sessionId()).isPresent());
        }
    }

    private static SipTlsAgent agent(Fixture f, String aor, dev.siptls.protocol.SecurityPolicy policy,
            java.security.PrivateKey chainKey) throws IOException {
        SipTlsAgent.Builder b = SipTlsAgent.builder().aor(aor).identity(f.pki.agent(aor))
                .keyServer(f.server.address()).keyServerName("localhost").policy(policy)
                .requestTimeout(Duration.ofSeconds(30));
        if (chainKey != null) {
            b.chainKey(chainKey);
        }
        SipTlsAgent agent = b.build();
        agent.start();
        return agent;
    }

    /** Opens connections of the four kinds in turn, keeping up to {@link #FLOOD} open, until told to stop. */
    private static void flood(Fixture f, int seed, AtomicBoolean flooding, AtomicInteger opened,
            Deque<Socket> held) {
        Random random = new Random(seed);
        javax.net.ssl.SSLSocketFactory enrolled;
        try {
            enrolled = f.pki.agent("sip:flood" + seed + "@example.com").clientContext("127.0.0.1")
                    .getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int n = seed; flooding.get(); n++) {
            Socket s = new Socket();
            try {
                s.connect(f.server.address(), 5_000);
                switch (n % 4) {
                    case 0 -> {
                        SSLSocket tls = (SSLSocket) enrolled.createSocket(s, "127.0.0.1",
                                f.server.address().getPort(), true);
                        tls.startHandshake();
                        s = tls;
                    }
                    case 1 -> {
                        byte[] garbage = new byte[1 + random.nextInt(2048)];
                        random.nextBytes(garbage);
                        s.getOutputStream().write(garbage);
                    }
                    case 2 -> s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01});
                    default -> {
                        // connected, silent
                    }
                }
            } catch (IOException refusedOrClosed) {
                // the key server may refuse or drop them: that is its right
            }
            opened.incrementAndGet();
            Socket oldest = null;
            synchronized (held) {
                held.addLast(s);
                if (held.size() > FLOOD) {
                    oldest = held.pollFirst();
                }
            }
            if (oldest != null) {
                try {
                    oldest.close();
                } catch (IOException ignored) {
                    // closed anyway
                }
            }
        }
    }
}
