package dev.siptls.conformance;

import dev.siptls.protocol.SecurityAssociation;
import dev.siptls.provider.SipTlsProvider;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS client of {@link ProcessFaultTest}: plain JSSE code ({@code SSLContext.getInstance("SIP-TLS")}) in a
 * JVM where SipTls was installed through {@code -Djava.security.properties} only. About 20 connections a
 * second, one after the other, each one byte echoed; every connection is written as one line of
 * {@link ConnectionRecord} to the output file, classified by what its session is:
 * <ul>
 * <li>{@code SIP}: the session carries {@link SipTlsProvider#SESSION_VALUE_ASSOCIATION}, or its id is the id of
 *     an SA this provider held;</li>
 * <li>{@code NATIVE}: a BCJSSE resumption of a session created before this connection started;</li>
 * <li>{@code FULL}: a new session without an SA;</li>
 * <li>{@code DOWN}: the TCP connection was refused (no TLS server process), {@code FAILED}: any other
 *     exception.</li>
 * </ul>
 * Reading the provider's SAs and counters is the only SIP-TLS-specific code here, and only to classify. Prints
 * {@code started} when the first connection is made; stops when its standard input closes.
 *
 * <p>Arguments: host, port, the PKCS#12 trust store of the TLS server's CA (password in
 * SIPTLS_TRUSTSTORE_PASSWORD), the output file.
 */
public final class FaultClientMain {

    private static final long INTERVAL_MILLIS = 50;
    private static final AtomicBoolean STOP = new AtomicBoolean();

    private FaultClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
            trust.load(in, System.getenv("SIPTLS_TRUSTSTORE_PASSWORD").toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("SIP-TLS");
        context.init(null, tmf.getTrustManagers(), null);
        SipTlsProvider provider = (SipTlsProvider) context.getProvider();

        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing to read but the end
                }
            } catch (IOException e) {
                // closed
            }
            STOP.set(true);
        }, "stdin-watch");
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        Set<String> associationIds = new HashSet<>();
        System.out.println("started");
        System.out.flush();
        try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.UTF_8)) {
            long next = System.currentTimeMillis();
            while (!STOP.get()) {
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                long start = System.currentTimeMillis();
                next = Math.max(start, next) + INTERVAL_MILLIS;
                ConnectionRecord.Kind kind;
                long sessionAge = -1;
                String detail = "";
                try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
                    socket.setSoTimeout(10_000);
                    socket.setTcpNoDelay(true);
                    socket.getOutputStream().write(1);
                    socket.getOutputStream().flush();
                    if (socket.getInputStream().read() != 1) {
                        throw new IOException("no echo");
                    }
                    SSLSession session = socket.getSession();
                    provider.associations().held().stream().map(SecurityAssociation::sessionIdHex)
                            .forEach(associationIds::add);
                    kind = classify(session, start, associationIds);
                    sessionAge = Math.max(0, start - session.getCreationTime());
                } catch (ConnectException refused) {
                    kind = ConnectionRecord.Kind.DOWN;
                } catch (Exception e) {
                    kind = ConnectionRecord.Kind.FAILED;
                    detail = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                long end = System.currentTimeMillis();
                out.write(new ConnectionRecord(start, end, kind, sessionAge,
                        provider.statistics().getAssociationRequests(), detail).toLine());
                out.newLine();
                out.flush();
            }
        } finally {
            provider.close();
        }
        System.exit(0);
    }

    private static ConnectionRecord.Kind classify(SSLSession session, long connectionStart,
            Set<String> associationIds) {
        String id = HexFormat.of().formatHex(session.getId());
        if (session.getValue(SipTlsProvider.SESSION_VALUE_ASSOCIATION) != null || associationIds.contains(id)) {
            return ConnectionRecord.Kind.SIP;
        }
        return session.getCreationTime() < connectionStart ? ConnectionRecord.Kind.NATIVE : ConnectionRecord.Kind.FULL;
    }
}
