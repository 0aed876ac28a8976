package dev.siptls.bench;

import dev.siptls.provider.SipTlsProvider;
import dev.siptls.server.KeyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server terminal of the load run: its own SIP-TLS provider, serving {@code localhost:port} with an
 * {@link SSLServerSocket} from its SIP-TLS context. One thread accepts; a small fixed pool echoes (when the
 * pool and its queue are full the acceptor echoes itself, which slows accepting down instead of refusing).
 */
final class EchoTerminal implements AutoCloseable {

    private static final int HANDLERS = 4;
    private static final int QUEUE = 64;
    private static final int SOCKET_TIMEOUT_MILLIS = 30_000;

    private final SipTlsProvider provider;
    private final SSLServerSocket listener;
    private final ThreadPoolExecutor handlers;
    private final Thread acceptor;
    private final LongAdder served = new LongAdder();
    private final ErrorCounts errors;

    private EchoTerminal(SipTlsProvider provider, SSLServerSocket listener, String name, ErrorCounts errors) {
        this.provider = provider;
        this.listener = listener;
        this.errors = errors;
        this.handlers = new ThreadPoolExecutor(HANDLERS, HANDLERS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), task -> new Thread(task, name + "-echo"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.acceptor = new Thread(this::acceptLoop, name + "-accept");
    }

    /**
     * Configures {@code name}'s provider to serve {@code localhost:<free port>}, starts its agent (the
     * context's init publishes the policy with {@code keys}' chain) and listens. Errors of its connections
     * are counted in {@code errors}.
     */
    static EchoTerminal start(ProviderFiles files, String name, KeyServer keyServer, ErrorCounts errors)
            throws IOException, GeneralSecurityException {
        KeyStore keys = files.issue(name, "localhost");
        int port = LoopbackTls.freePort();
        SipTlsProvider provider = files.provider(name, keyServer, Map.of("serve", "localhost:" + port));
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", "SunJSSE");
            kmf.init(keys, ProviderFiles.PASSWORD);
            SSLContext context = SSLContext.getInstance(SipTlsProvider.PROTOCOL, provider);
            // A JDK SecureRandom: with none, BCJSSE seeds a DRBG whose entropy thread outlives the run.
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory()
                    .createServerSocket(port, 128, InetAddress.getLoopbackAddress());
            EchoTerminal terminal = new EchoTerminal(provider, listener, name, errors);
            terminal.acceptor.start();
            return terminal;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    SipTlsProvider provider() {
        return provider;
    }

    int port() {
        return listener.getLocalPort();
    }

    long served() {
        return served.sum();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) listener.accept();
                handlers.execute(() -> echo(socket));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    errors.record(e);
                }
            }
        }
    }

    /** Handshake, echo what the client sent, then wait for the client to close first. */
    private void echo(SSLSocket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            byte[] payload = in.readNBytes(ClientTerminal.PAYLOAD_BYTES);
            socket.getOutputStream().write(payload);
            socket.getOutputStream().flush();
            if (in.read() != -1) {
                throw new IOException("client sent more than the echo payload");
            }
            served.increment();
        } catch (IOException e) {
            errors.record(e);
        }
    }

    /** Stops accepting, lets the echoes in progress end, stops the pool and the provider. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            errors.record(e);
        }
        handlers.shutdown();
        try {
            acceptor.join(5_000);
            if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
                handlers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        provider.close();
    }
}
