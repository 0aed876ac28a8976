package dev.siptls.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The TLS server of {@link ProcessFaultTest}: plain JSSE code in a JVM where SipTls was installed through
 * {@code -Djava.security.properties} only. It serves an echo of one byte per connection on loopback and prints
 * {@code ready on <address> at <epoch milliseconds>} once it accepts.
 *
 * <p>Arguments: port, the PKCS#12 key store of its TLS certificate (password in SIPTLS_KEYSTORE_PASSWORD).
 */
public final class FaultTlsServerMain {

    private FaultTlsServerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        char[] password = System.getenv("SIPTLS_KEYSTORE_PASSWORD").toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, password);

        SSLContext context = SSLContext.getInstance("SIP-TLS");
        context.init(kmf.getKeyManagers(), null, null);
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try (SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(port, 100, InetAddress.getLoopbackAddress())) {
            System.out.println("ready on " + listener.getLocalSocketAddress() + " at " + System.currentTimeMillis());
            System.out.flush();
            while (true) {
                Socket accepted = listener.accept();
                workers.execute(() -> echo((SSLSocket) accepted));
            }
        }
    }

    private static void echo(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            int b = socket.getInputStream().read();
            if (b >= 0) {
                socket.getOutputStream().write(b);
                socket.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the client's classification says what went wrong; the server only serves
        }
    }
}
