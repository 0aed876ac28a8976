package dev.siptls.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siptls.sip.testing.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Silent TCP connections to a link listener between key servers (JAIN-SIP's blocking TLS transport, a reader
 * thread per accepted connection) must not hold threads: each is closed once its TLS handshake has not
 * completed within the endpoint's handshake timeout, and beyond {@link 64}
 * at once, and the endpoint's threads come back to where they were.
 */
class InterconnectHandshakeTimeoutTest {

    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);

    private final TestPki pki = new TestPki();

    @Test
    void silentConnectionsToALinkListenerAreClosedAndTheirThreadsEnd() throws Exception {
        try (SipEndpoint links = interconnect(HANDSHAKE_TIMEOUT)) {
            int baseline = links.liveThreads().size();
            List<SocketChannel> silent = open(links.tlsAddress(), 100);
            try {
                // Upper wait only: every connection must be closed by the listener well within this.
                assertEquals(silent.size(), closedWithin(silent, silent.size(), HANDSHAKE_TIMEOUT.multipliedBy(5)),
                        "silent connections still open after the handshake timeout");
            } finally {
                closeAll(silent);
            }
            long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT.multipliedBy(5).toNanos();
            while (links.liveThreads().size() > baseline && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(links.liveThreads().size() <= baseline,
                    "threads left behind: " + links.liveThreads().size() + " against " + baseline);
        }
    }

    @Test
    void connectionsBeyondTheHandshakingCapAreClosedAtOnce() throws Exception {
        // A timeout far beyond the wait below: what closes here is closed by the cap, not the timeout.
        Duration longTimeout = Duration.ofMinutes(2);
        try (SipEndpoint links = interconnect(longTimeout)) {
            int baseline = links.liveThreads().size();
            int cap = HandshakeBoundSslServerSocket.MAX_HANDSHAKING;
            List<SocketChannel> silent = open(links.tlsAddress(), cap + 50);
            try {
                int closed = closedWithin(silent, 50, longTimeout.dividedBy(4));
                assertTrue(closed >= 50, "only " + closed + " of the connections beyond the cap were closed");
                assertTrue(links.liveThreads().size() <= baseline + cap + 2,
                        "threads grew past the cap: " + links.liveThreads().size() + " against " + baseline);
            } finally {
                closeAll(silent);
            }
        }
    }

    private SipEndpoint interconnect(Duration handshakeTimeout) throws Exception {
        return SipEndpoint.start(SipEndpointConfig.builder().name("links").interconnect(true)
                .handshakeTimeout(handshakeTimeout).sslContext(pki.keyServer().serverContext()).build(),
                new SipEndpointTest.Listener());
    }

    private static List<SocketChannel> open(InetSocketAddress address, int n) throws IOException {
        List<SocketChannel> channels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            channels.add(SocketChannel.open(address));
        }
        return channels;
    }

    /** How many of {@code channels} the peer closed (end of stream or reset), waiting until {@code enough} or {@code wait}. */
    private static int closedWithin(List<SocketChannel> channels, int enough, Duration wait) throws IOException {
        int closed = 0;
        long deadline = System.nanoTime() + wait.toNanos();
        try (Selector selector = Selector.open()) {
            for (SocketChannel channel : channels) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
            }
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (closed < enough && System.nanoTime() < deadline) {
                selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    int read;
                    try {
                        buffer.clear();
                        read = channel.read(buffer);
                    } catch (IOException reset) {
                        read = -1;
                    }
                    if (read == -1) {
                        key.cancel();
                        closed++;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return closed;
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
