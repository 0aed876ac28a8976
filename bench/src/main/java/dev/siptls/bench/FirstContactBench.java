package dev.siptls.bench;

import dev.siptls.bench.demo.QuietLogs;
import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import dev.siptls.sip.CertificateAuthority;
import dev.siptls.sip.CertificateAuthority.KeyType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * First contact: the wall time of a client's first connection to a peer whose SA it prefetched ({@code prefetch=}),
 * against a first connection that asks the key server for its SA, a later connection (SA held), and a full TLS 1.3
 * handshake, all in one run and interleaved connection by connection, so that a noisy machine affects every row
 * alike. One TLS server terminal serves {@code count} ports (each a peer never contacted before); a prefetching
 * client and an asking client both connect to each once. Every connection enables TLS 1.3 with one suite.
 *
 * <p>Run: {@code java -cp ... dev.siptls.bench.FirstContactBench [count]}.
 */
public final class FirstContactBench {

    private static final String SUITE = "TLS_AES_128_GCM_SHA256";
    private static final String[] TLS13 = {"TLSv1.3"};
    private static final String HOST = "localhost";
    private static final int WARMUP = 200;

    private FirstContactBench() {
    }

    /** The wall times of one row, and how it counted. */
    record Row(String name, long[] wallNanos, String note) {
        double medianMicros() {
            long[] sorted = wallNanos.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2] / 1_000.0;
        }
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        try (QuietLogs quiet = new QuietLogs()) {
            print(run(count), count);
        }
    }

    static List<Row> run(int count) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("SIP-TLS first-contact bench CA");
        KeyStore serverKeys = ca.issue("localhost", List.of("localhost", "127.0.0.1"), KeyType.RSA_2048,
                HandshakeBench.PASSWORD);
        KeyStore trust = ca.trustStore();
        int warmPort = LoopbackTls.freePort();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(LoopbackTls.freePort());
        }
        String peers = ports.stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
        List<SSLServerSocket> listeners = new ArrayList<>();
        try (ProviderFiles files = ProviderFiles.create(ca); KeyServer keyServer = files.startKeyServer()) {
            files.issue("server");
            files.issue("prefetching");
            files.issue("asking");
            SipTlsProvider server = files.provider("server", keyServer, Map.of("suites", SUITE,
                    "serve", HOST + ":" + warmPort + "," + peers));
            SipTlsProvider prefetching = files.provider("prefetching", keyServer,
                    Map.of("suites", SUITE, "prefetch", peers));
            SipTlsProvider asking = files.provider("asking", keyServer, Map.of("suites", SUITE));
            try {
                SSLContext serverContext = HandshakeBench.context(server, serverKeys, null);
                server.assertHealthy(Duration.ofSeconds(20)); // its bindings first, so that prefetching finds them
                SSLContext prefetchingClient = HandshakeBench.context(prefetching, null, trust);
                SSLContext askingClient = HandshakeBench.context(asking, null, trust);
                prefetching.assertHealthy(Duration.ofSeconds(20));
                asking.assertHealthy(Duration.ofSeconds(20));
                listeners.add(listen(serverContext, warmPort));
                for (int port : ports) {
                    listeners.add(listen(serverContext, port));
                }
                Provider bc = new BouncyCastleJsseProvider(new BouncyCastleProvider());
                SSLContext fullClient = HandshakeBench.context(bc, null, trust);
                SSLServerSocket fullListener = listen(HandshakeBench.context(bc, serverKeys, null), 0);
                listeners.add(fullListener);
                int fullPort = fullListener.getLocalPort();
                awaitPrefetched(prefetching, count);

                for (int i = 0; i < WARMUP; i++) {
                    connect(prefetchingClient, warmPort, true);
                    connect(askingClient, warmPort, true);
                    connect(fullClient, fullPort, false);
                }
                long requestsBefore = prefetching.statistics().getAssociationRequests();
                long resumedBefore = prefetching.statistics().getSipResumptionsAsClient();
                long askedBefore = asking.statistics().getAssociationRequests();
                long[] prefetched = new long[count];
                long[] asked = new long[count];
                long[] later = new long[count];
                long[] full = new long[count];
                int viaSip = 0;
                for (int i = 0; i < count; i++) {
                    int port = ports.get(i);
                    prefetched[i] = timed(() -> connect(prefetchingClient, port, true));
                    asked[i] = timed(() -> connect(askingClient, port, true));
                    later[i] = timed(() -> connect(prefetchingClient, warmPort, true));
                    full[i] = timed(() -> connect(fullClient, fullPort, false));
                }
                viaSip += (int) (prefetching.statistics().getSipResumptionsAsClient() - resumedBefore);
                long requestsAtConnect = prefetching.statistics().getAssociationRequests() - requestsBefore;
                return List.of(
                        new Row("first contact, prefetched SA", prefetched, "SA requests at connect: "
                                + requestsAtConnect + "; prefetched " + prefetching.statistics()
                                .getAssociationsPrefetched()),
                        new Row("first contact, SA asked at connect", asked, "SA requests at connect: "
                                + (asking.statistics().getAssociationRequests() - askedBefore)),
                        new Row("later connection (SA held)", later, viaSip + " of " + 2 * count
                                + " prefetching-client connections resumed via SIP"),
                        new Row("full TLS 1.3 RSA-2048, BCJSSE BC crypto", full, "no SIP-TLS"));
            } finally {
                for (SSLServerSocket listener : listeners) {
                    listener.close();
                }
                prefetching.close();
                asking.close();
                server.close();
            }
        }
    }

    private static void awaitPrefetched(SipTlsProvider client, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.statistics().getAssociationsPrefetched() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (client.statistics().getAssociationsPrefetched() < count) {
            throw new IllegalStateException("only " + client.statistics().getAssociationsPrefetched() + " of "
                    + count + " SAs prefetched (" + client.statistics().getAssociationPrefetchFailures()
                    + " failed)");
        }
    }

    @FunctionalInterface
    private interface Connection {
        void run() throws IOException;
    }

    private static long timed(Connection connection) throws IOException {
        long start = System.nanoTime();
        connection.run();
        return System.nanoTime() - start;
    }

    /** A listener on {@code port} (0: any) echoing one byte per connection, on a daemon thread of its own. */
    private static SSLServerSocket listen(SSLContext context, int port) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(port, 50, InetAddress.getLoopbackAddress());
        listener.setEnabledProtocols(TLS13);
        listener.setEnabledCipherSuites(new String[]{SUITE});
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.setTcpNoDelay(true);
                    InputStream in = socket.getInputStream();
                    socket.getOutputStream().write(in.read());
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        System.err.println("server: " + e);
                    }
                }
            }
        }, "bench-first-contact-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return listener;
    }

    /** One connection with one byte echoed; {@code resume} false invalidates its session (a full handshake next). */
    private static void connect(SSLContext context, int port, boolean resume) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, HOST, port, true);
            tls.setEnabledProtocols(TLS13);
            tls.setEnabledCipherSuites(new String[]{SUITE});
            OutputStream out = tls.getOutputStream();
            out.write(1);
            out.flush();
            if (tls.getInputStream().read() != 1) {
                throw new IOException("echo failed");
            }
            SSLSession session = tls.getSession();
            if (!resume) {
                session.invalidate();
            }
        }
    }

    static void print(List<Row> rows, int count) {
        double later = rows.get(2).medianMicros();
        System.out.printf(Locale.ROOT, "%-40s %14s %16s  %s%n", "first contact", "wall p50 us", "vs later conn.",
                "counted");
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, "%-40s %14.0f %15.2fx  %s%n", row.name(), row.medianMicros(),
                    row.medianMicros() / later, row.note());
        }
        System.out.println(count + " connections per row, interleaved, after " + WARMUP + " warm-up rounds;"
                + " TLS 1.3 " + SUITE + " only; each first contact to a peer (port) never contacted before; loopback, "
                + Runtime.getRuntime().availableProcessors() + " cores. Target: a prefetched first contact within"
                + " 1.2x a later connection.");
    }
}
