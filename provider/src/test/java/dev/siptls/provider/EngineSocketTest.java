package dev.siptls.provider;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EngineSocket} with a SunJSSE engine inside, against SunJSSE's own SSLSocket on the other end of a real
 * loopback connection: the socket as client and as server, data, closing, timeouts, threads and failures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // hang guard only
class EngineSocketTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ExecutorService peers = Executors.newCachedThreadPool();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        peers.shutdownNow();
    }

    private static SSLContext sunJsse(String protocol) throws Exception {
        SSLContext context = SSLContext.getInstance(protocol, "SunJSSE");
        context.init(new KeyManager[] {TestPki.keyManager(TestPki.SERVER)}, TestPki.trustingCa(), null);
        return context;
    }

    /** A SunJSSE server socket on loopback; the peer's script runs on its accepted socket. */
    private int sunJsseServer(String protocol, Peer script) throws Exception {
        SSLServerSocket server = (SSLServerSocket) sunJsse(protocol).getServerSocketFactory()
                .createServerSocket(0, 50, LOOPBACK);
        toClose.add(server);
        peerResult = peers.submit(() -> {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
                script.run(socket);
            }
            return null;
        });
        return server.getLocalPort();
    }

    private Future<?> peerResult;

    /** Our socket as client, its engine from the given context. */
    private EngineSocket engineClient(SSLContext context, int port) throws Exception {
        Socket plain = new Socket(LOOPBACK, port);
        toClose.add(plain);
        SSLEngine engine = context.createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        EngineSocket socket = new EngineSocket(engine, plain, new byte[0], true, "localhost");
        toClose.add(socket);
        return socket;
    }

    /** A plain listening socket whose accepted connection becomes our server-mode socket. */
    private ServerSocket plainServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        toClose.add(server);
        return server;
    }

    private EngineSocket engineServer(SSLContext context, Socket accepted, byte[] alreadyRead) throws Exception {
        toClose.add(accepted);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        EngineSocket socket = new EngineSocket(engine, accepted, alreadyRead, true, null);
        toClose.add(socket);
        return socket;
    }

    private SSLSocket sunJsseClient(SSLContext context, int port) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(LOOPBACK, port);
        toClose.add(socket);
        return socket;
    }

    @FunctionalInterface
    interface Peer {
        void run(SSLSocket socket) throws Exception;
    }

    private static void echoLine(SSLSocket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] request = new byte[5];
        in.readFully(request);
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        assertEquals(-1, in.read(), "the client's close_notify");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakesAsClientAgainstASunJsseServer(String protocol) throws Exception {
        int port = sunJsseServer(protocol, EngineSocketTest::echoLine);
        EngineSocket socket = engineClient(sunJsse(protocol), port);
        AtomicInteger fired = new AtomicInteger();
        AtomicReference<String> firedSuite = new AtomicReference<>();
        socket.addHandshakeCompletedListener(event -> {
            fired.incrementAndGet();
            firedSuite.set(event.getCipherSuite());
            assertSame(socket, event.getSocket());
        });

        socket.startHandshake();
        socket.startHandshake(); // once only

        assertEquals(protocol, socket.getSession().getProtocol());
        assertEquals(socket.getSession().getCipherSuite(), firedSuite.get());
        assertEquals(1, fired.get());
        assertEquals(TestPki.SERVER.certificate(), socket.getSession().getPeerCertificates()[0]);
        socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII),
                new DataInputStream(socket.getInputStream()).readNBytes(5));
        socket.close();
        peerResult.get(30, TimeUnit.SECONDS);
        assertTrue(socket.isClosed());
        assertEquals(1, fired.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakesAsServerOnTheFirstRead(String protocol) throws Exception {
        SSLContext context = sunJsse(protocol);
        ServerSocket server = plainServer();
        SSLSocket client = sunJsseClient(context, server.getLocalPort());
        EngineSocket socket = engineServer(context, server.accept(), new byte[0]);
        AtomicInteger fired = new AtomicInteger();
        socket.addHandshakeCompletedListener(event -> fired.incrementAndGet());
        Future<byte[]> reply = peers.submit(() -> {
            client.getOutputStream().write("ping!".getBytes(StandardCharsets.US_ASCII));
            return new DataInputStream(client.getInputStream()).readNBytes(5);
        });

        byte[] request = new DataInputStream(socket.getInputStream()).readNBytes(5);
        socket.getOutputStream().write("pong!".getBytes(StandardCharsets.US_ASCII));

        assertEquals("ping!", new String(request, StandardCharsets.US_ASCII));
        assertEquals("pong!", new String(reply.get(30, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
        assertEquals(protocol, socket.getSession().getProtocol());
        assertEquals(client.getSession().getCipherSuite(), socket.getSession().getCipherSuite());
        assertEquals(1, fired.get());
        assertFalse(socket.getUseClientMode());
    }

    @Test
    void carriesOneMebibyteEachWay() throws Exception {
        byte[] data = random(1 << 20);
        int port = sunJsseServer("TLSv1.3", peer -> {
            byte[] received = new DataInputStream(peer.getInputStream()).readNBytes(data.length);
            peer.getOutputStream().write(received);
        });
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), port);

        socket.getOutputStream().write(data); // one call, many records
        byte[] back = new DataInputStream(socket.getInputStream()).readNBytes(data.length);

        assertArrayEquals(data, back);
        peerResult.get(30, TimeUnit.SECONDS);
    }

    @Test
    void unwrapsTheBytesReadBeforeItWasMade() throws Exception {
        SSLContext context = sunJsse("TLSv1.3");
        ServerSocket server = plainServer();
        SSLSocket client = sunJsseClient(context, server.getLocalPort());
        Future<byte[]> reply = peers.submit(() -> {
            client.getOutputStream().write("ping!".getBytes(StandardCharsets.US_ASCII));
            return new DataInputStream(client.getInputStream()).readNBytes(5);
        });
        Socket accepted = server.accept();
        byte[] peeked = accepted.getInputStream().readNBytes(43); // record header, hello header, random...
        assertEquals(0x16, peeked[0], "a handshake record");

        EngineSocket socket = engineServer(context, accepted, peeked);
        byte[] request = new DataInputStream(socket.getInputStream()).readNBytes(5);
        socket.getOutputStream().write("pong!".getBytes(StandardCharsets.US_ASCII));

        assertEquals("ping!", new String(request, StandardCharsets.US_ASCII));
        assertEquals("pong!", new String(reply.get(30, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
    }

    @Test
    void halfCloseLetsThePeerReplyAfterOurCloseNotify() throws Exception {
        int port = sunJsseServer("TLSv1.3", peer -> {
            byte[] request = peer.getInputStream().readAllBytes(); // up to our close_notify
            peer.getOutputStream().write(("got " + request.length).getBytes(StandardCharsets.US_ASCII));
        });
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), port);
        OutputStream out = socket.getOutputStream();
        out.write(new byte[1000]);

        socket.shutdownOutput();

        assertTrue(socket.isOutputShutdown());
        assertFalse(socket.isInputShutdown());
        assertThrows(IOException.class, () -> out.write(1));
        assertEquals("got 1000", new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        peerResult.get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void readsMinusOneOnThePeersCloseNotify(String protocol) throws Exception {
        int port = sunJsseServer(protocol, peer -> peer.getOutputStream().write(42));
        EngineSocket socket = engineClient(sunJsse(protocol), port);
        InputStream in = socket.getInputStream();

        assertEquals(42, in.read());
        assertEquals(-1, in.read());
        assertEquals(-1, in.read());
        assertEquals(0, in.available());
        assertThrows(IOException.class, socket::getInputStream);
        peerResult.get(30, TimeUnit.SECONDS);
    }

    /**
     * TLS 1.2 requires the reader of a close_notify to answer with its own: a SunJSSE socket layered over a
     * plain one it keeps open waits for that answer in close(), which returns only if our reader sent it.
     */
    @Test
    void answersATls12CloseNotifyFromTheReadingThread() throws Exception {
        SSLContext context = sunJsse("TLSv1.2");
        ServerSocket server = plainServer();
        Future<?> peer = peers.submit(() -> {
            try (Socket accepted = server.accept()) {
                SSLSocket layered = (SSLSocket) context.getSocketFactory().createSocket(accepted, null, false);
                layered.setUseClientMode(false);
                layered.getOutputStream().write(42);
                layered.close(); // waits for our close_notify
                assertFalse(accepted.isClosed());
            }
            return null;
        });
        EngineSocket socket = engineClient(context, server.getLocalPort());

        assertEquals("TLSv1.2", socket.getSession().getProtocol()); // getSession runs the handshake
        InputStream in = socket.getInputStream();
        assertEquals(42, in.read());
        assertEquals(-1, in.read());

        peer.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aReadTimeoutLeavesTheConnectionUsable() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        int port = sunJsseServer("TLSv1.3", peer -> {
            peer.getOutputStream().write(1); // the handshake done and one byte through
            assertTrue(timedOut.await(30, TimeUnit.SECONDS));
            peer.getOutputStream().write("later".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, peer.getInputStream().read());
        });
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), port);
        InputStream in = socket.getInputStream();
        assertEquals(1, in.read());
        socket.setSoTimeout(100);
        assertEquals(100, socket.getSoTimeout());

        assertThrows(SocketTimeoutException.class, () -> in.read());
        timedOut.countDown();
        socket.setSoTimeout(0);

        assertEquals("later", new String(new DataInputStream(in).readNBytes(5), StandardCharsets.US_ASCII));
        assertFalse(socket.isClosed());
        socket.close();
        peerResult.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aHandshakeThatTimesOutCanBeResumed() throws Exception {
        SSLContext context = sunJsse("TLSv1.3");
        ServerSocket server = plainServer();
        CountDownLatch timedOut = new CountDownLatch(1);
        Future<?> peer = peers.submit(() -> {
            try (Socket accepted = server.accept()) {
                assertTrue(timedOut.await(30, TimeUnit.SECONDS)); // only now answer the ClientHello
                SSLSocket layered = (SSLSocket) context.getSocketFactory().createSocket(accepted, null, true);
                layered.setUseClientMode(false);
                layered.getOutputStream().write(7);
                assertEquals(-1, layered.getInputStream().read());
            }
            return null;
        });
        EngineSocket socket = engineClient(context, server.getLocalPort());
        socket.setSoTimeout(100);

        assertThrows(SocketTimeoutException.class, socket::startHandshake);
        assertFalse(socket.isClosed());
        timedOut.countDown();
        socket.setSoTimeout(0);
        socket.startHandshake();

        assertEquals(7, socket.getInputStream().read());
        socket.close();
        peer.get(30, TimeUnit.SECONDS);
    }

    /**
     * 4 MiB each way at once: the peer echoes what it reads, far more than the socket buffers hold, so the echo
     * comes back only while our writer is still writing; a socket whose blocked read holds up its writes (or the
     * reverse) stalls here. Both threads also start the handshake together.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aReaderAndAWriterRunAtTheSameTime(String protocol) throws Exception {
        byte[] ours = random(4 << 20);
        int port = sunJsseServer(protocol, peer -> {
            InputStream in = peer.getInputStream();
            OutputStream out = peer.getOutputStream();
            byte[] chunk = new byte[16_384];
            int n;
            while ((n = in.read(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
        });
        EngineSocket socket = engineClient(sunJsse(protocol), port);
        AtomicInteger fired = new AtomicInteger();
        socket.addHandshakeCompletedListener(event -> fired.incrementAndGet());
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        CountDownLatch start = new CountDownLatch(1);

        Future<?> writing = peers.submit(() -> {
            start.await();
            for (int off = 0; off < ours.length; off += 100_000) {
                out.write(ours, off, Math.min(100_000, ours.length - off));
            }
            return null;
        });
        Future<byte[]> reading = peers.submit(() -> {
            start.await();
            return new DataInputStream(in).readNBytes(ours.length);
        });
        start.countDown();

        assertArrayEquals(digest(ours), digest(reading.get(50, TimeUnit.SECONDS)));
        writing.get(50, TimeUnit.SECONDS);
        socket.close();
        peerResult.get(50, TimeUnit.SECONDS);
        assertEquals(1, fired.get());
    }

    /** The peer answers only what it receives: the write must go out while our reader waits on the network. */
    @Test
    void aBlockedReadDoesNotHoldUpAWrite() throws Exception {
        int port = sunJsseServer("TLSv1.3", peer -> {
            int request = peer.getInputStream().read();
            peer.getOutputStream().write(request + 1);
            assertEquals(-1, peer.getInputStream().read());
        });
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), port);
        socket.startHandshake();
        InputStream in = socket.getInputStream();
        AtomicReference<Thread> readerThread = new AtomicReference<>();
        Future<Integer> reading = peers.submit(() -> {
            readerThread.set(Thread.currentThread());
            return in.read();
        });
        awaitBlockedInNetworkRead(readerThread);

        socket.getOutputStream().write(41);

        assertEquals(42, reading.get(30, TimeUnit.SECONDS));
        socket.close();
        peerResult.get(30, TimeUnit.SECONDS);
    }

    /** Waits until the thread sits in the transport's read from the plain socket (seen in its stack). */
    private static void awaitBlockedInNetworkRead(AtomicReference<Thread> thread) throws InterruptedException {
        while (true) {
            Thread t = thread.get();
            if (t != null && Arrays.stream(t.getStackTrace()).anyMatch(frame ->
                    frame.getClassName().equals(EngineTransport.class.getName())
                            && frame.getMethodName().equals("fill"))) {
                return;
            }
            Thread.sleep(5);
        }
    }

    @Test
    void mismatchedProtocolsFailTheHandshakeAndCloseTheSocket() throws Exception {
        int port = sunJsseServer("TLSv1.2", peer -> {
            peer.setEnabledProtocols(new String[] {"TLSv1.2"});
            assertThrows(IOException.class, peer::startHandshake);
        });
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), port);
        socket.setEnabledProtocols(new String[] {"TLSv1.3"});

        assertThrows(SSLHandshakeException.class, socket::startHandshake);

        assertTrue(socket.isClosed());
        assertEquals("SSL_NULL_WITH_NULL_NULL", socket.getSession().getCipherSuite());
        peerResult.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aServerThatVanishesMidHandshakeIsAHandshakeFailure() throws Exception {
        ServerSocket server = plainServer();
        Future<?> vanishing = peers.submit(() -> {
            try (Socket accepted = server.accept()) {
                DataInputStream in = new DataInputStream(accepted.getInputStream());
                byte[] header = new byte[5];
                in.readFully(header);
                in.readFully(new byte[((header[3] & 0xFF) << 8) | (header[4] & 0xFF)]); // the whole ClientHello
            }
            return null;
        });
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), server.getLocalPort());

        SSLHandshakeException failure = assertThrows(SSLHandshakeException.class, socket::startHandshake);

        assertEquals("Remote host terminated the handshake", failure.getMessage());
        assertTrue(socket.isClosed());
        vanishing.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aClientThatVanishesMidHelloIsAHandshakeFailure() throws Exception {
        ServerSocket server = plainServer();
        byte[] hello = clientHello(sunJsse("TLSv1.3"));
        Socket client = new Socket(LOOPBACK, server.getLocalPort());
        toClose.add(client);
        EngineSocket socket = engineServer(sunJsse("TLSv1.3"), server.accept(), new byte[0]);
        client.getOutputStream().write(hello, 0, hello.length / 2);
        client.shutdownOutput();

        SSLHandshakeException failure = assertThrows(SSLHandshakeException.class,
                () -> socket.getInputStream().read());

        assertEquals("Remote host terminated the handshake", failure.getMessage());
        assertTrue(socket.isClosed());
    }

    @Test
    void theApplicationsSelectorChoosesTheProtocolAndSeesThisSocket() throws Exception {
        SSLContext context = sunJsse("TLSv1.3");
        ServerSocket server = plainServer();
        SSLSocket client = sunJsseClient(context, server.getLocalPort());
        SSLParameters offer = client.getSSLParameters();
        offer.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        client.setSSLParameters(offer);
        EngineSocket socket = engineServer(context, server.accept(), new byte[0]);
        AtomicReference<SSLSocket> asked = new AtomicReference<>();
        AtomicReference<String> duringHandshake = new AtomicReference<>();
        socket.setHandshakeApplicationProtocolSelector((s, offered) -> {
            asked.set(s);
            return offered.contains("http/1.1") ? "http/1.1" : null;
        });
        socket.addHandshakeCompletedListener(event -> duringHandshake.set(socket.getApplicationProtocol()));
        Future<?> clientHandshake = peers.submit(() -> {
            client.startHandshake();
            return null;
        });

        socket.startHandshake();
        clientHandshake.get(30, TimeUnit.SECONDS);

        assertSame(socket, asked.get());
        assertNotNull(socket.getHandshakeApplicationProtocolSelector());
        assertEquals("http/1.1", socket.getApplicationProtocol());
        assertEquals("http/1.1", client.getApplicationProtocol());
        assertEquals("http/1.1", duringHandshake.get());
    }

    @Test
    void socketOptionsAndAddressesAreThePlainSockets() throws Exception {
        int port = sunJsseServer("TLSv1.3", peer -> peer.getInputStream().read());
        EngineSocket socket = engineClient(sunJsse("TLSv1.3"), port);

        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);

        assertTrue(socket.getTcpNoDelay());
        assertTrue(socket.getKeepAlive());
        assertEquals(port, socket.getPort());
        assertEquals(LOOPBACK, socket.getInetAddress());
        assertTrue(socket.getLocalPort() > 0);
        assertTrue(socket.isConnected());
        assertFalse(socket.toString().contains("TLSv1.3"), "not negotiated yet");
        socket.startHandshake();
        assertTrue(socket.toString().contains("TLSv1.3"), socket.toString());
    }

    @Test
    void closingWithoutAutoCloseSendsCloseNotifyAndLeavesThePlainSocketOpen() throws Exception {
        int port = sunJsseServer("TLSv1.3", peer -> assertEquals(-1, peer.getInputStream().read()));
        Socket plain = new Socket(LOOPBACK, port);
        toClose.add(plain);
        SSLEngine engine = sunJsse("TLSv1.3").createSSLEngine("localhost", port);
        engine.setUseClientMode(true);
        EngineSocket socket = new EngineSocket(engine, plain, new byte[0], false, "localhost");
        socket.startHandshake();

        socket.close();

        peerResult.get(30, TimeUnit.SECONDS); // the peer saw close_notify
        assertTrue(socket.isClosed());
        assertFalse(plain.isClosed());
        assertThrows(IOException.class, socket::getOutputStream);
    }

    private static byte[] clientHello(SSLContext context) throws Exception {
        SSLEngine engine = context.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
        assertEquals(SSLEngineResult.Status.OK, result.getStatus());
        return Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new SecureRandom().nextBytes(data);
        return data;
    }

    private static byte[] digest(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
